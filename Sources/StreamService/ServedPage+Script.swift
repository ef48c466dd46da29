extension ServedPage {
    /// The page's style: light or dark as the system prefers; fonts the system has.
    static let style = """
        :root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #656d76; --line: #d0d7de;
          --open: #1a7f37; --wait: #9a6700; --bad: #cf222e; }
        @media (prefers-color-scheme: dark) {
          :root { --fg: #e6edf3; --bg: #0d1117; --muted: #8d96a0; --line: #30363d;
            --open: #3fb950; --wait: #d29922; --bad: #f85149; }
        }
        body { margin: 0; color: var(--fg); background: var(--bg); font: 14px/1.5 system-ui, sans-serif; }
        header { position: sticky; top: 0; display: flex; flex-wrap: wrap; align-items: baseline;
          gap: 0.25rem 1.5rem; padding: 0.75rem 1rem; background: var(--bg); border-bottom: 1px solid var(--line); }
        h1 { margin: 0; font-size: 1.1rem; overflow-wrap: anywhere; }
        #stream-id, dt { color: var(--muted); }
        dl { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; margin: 0; }
        dl div { display: flex; gap: 0.4rem; }
        dd { margin: 0; font-variant-numeric: tabular-nums; }
        #state[data-state="open"] { color: var(--open); }
        #state[data-state="connecting"], #state[data-state="reconnecting"] { color: var(--wait); }
        #state[data-state="closed"], #error { color: var(--bad); }
        #error { margin: 0; padding: 0.5rem 1rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
        pre { margin: 0; padding: 1rem; font: 13px/1.45 ui-monospace, monospace; white-space: pre-wrap;
          overflow-wrap: anywhere; }
        body.stale pre { opacity: 0.55; }
        """

    /// The page's script (ASCII, one constant: its hash is in the policy). Nothing from the
    /// stream reaches the page as markup: the document is shown with `textContent`.
    static let script = #"""
        "use strict";
        (() => {
          // RFC 6902 JSON Patch, applied atomically: on a copy, so a patch that fails changes nothing.
          class PatchError extends Error {}
          const fail = (message) => { throw new PatchError(message); };
          const own = (value, key) => Object.prototype.hasOwnProperty.call(value, key);
          const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
          const quote = (value) => JSON.stringify(value);

          // RFC 6901: "" is the whole document; "/a~1b/~0" is ["a/b", "~"].
          function tokens(pointer) {
            if (typeof pointer !== "string") fail("a pointer must be a string");
            if (pointer === "") return [];
            if (!pointer.startsWith("/")) fail(`pointer ${quote(pointer)} does not start with "/"`);
            return pointer.slice(1).split("/").map((token) => {
              if (/~([^01]|$)/.test(token)) fail(`pointer ${quote(pointer)} has a "~" not followed by 0 or 1`);
              return token.replace(/~[01]/g, (escape) => (escape === "~1" ? "/" : "~"));
            });
          }

          // An array index: digits, no leading zero; "-" (past the end) and the length only when adding.
          function position(token, array, adding) {
            if (adding && token === "-") return array.length;
            if (!/^(0|[1-9][0-9]*)$/.test(token)) fail(`${quote(token)} is not an array index`);
            const index = Number(token);
            if (index > array.length || (index === array.length && !adding)) fail(`index ${token} is out of range`);
            return index;
          }

          function resolve(value, path) {
            for (const token of path) {
              if (Array.isArray(value)) value = value[position(token, value, false)];
              else if (isObject(value) && own(value, token)) value = value[token];
              else fail(`nothing at ${quote(token)}`);
            }
            return value;
          }

          // A member set as data, never through a setter: a key named "__proto__" stays a key.
          function put(object, key, value) {
            Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
          }

          function add(doc, path, value) {
            if (path.length === 0) return value;
            const parent = resolve(doc, path.slice(0, -1)), key = path[path.length - 1];
            if (Array.isArray(parent)) parent.splice(position(key, parent, true), 0, value);
            else if (isObject(parent)) put(parent, key, value);
            else fail(`the parent of ${quote(key)} is not an object or an array`);
            return doc;
          }

          // Removes the value at `path`; returns it.
          function remove(doc, path) {
            if (path.length === 0) fail("cannot remove the whole document");
            const parent = resolve(doc, path.slice(0, -1)), key = path[path.length - 1];
            if (Array.isArray(parent)) return parent.splice(position(key, parent, false), 1)[0];
            const value = resolve(parent, [key]);
            delete parent[key];
            return value;
          }

          function replace(doc, path, value) {
            if (path.length === 0) return value;
            const parent = resolve(doc, path.slice(0, -1)), key = path[path.length - 1];
            if (Array.isArray(parent)) parent[position(key, parent, false)] = value;
            else {
              resolve(parent, [key]);
              put(parent, key, value);
            }
            return doc;
          }

          // JSON equality: objects as unordered members, arrays in order, true never 1.
          function equal(a, b) {
            if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
            if (!isObject(a) || !isObject(b)) return a === b;
            const keys = Object.keys(a);
            return keys.length === Object.keys(b).length && keys.every((key) => own(b, key) && equal(a[key], b[key]));
          }

          function operate(doc, operation) {
            if (!isObject(operation)) fail("an operation must be an object");
            const field = (name) => (own(operation, name) ? operation[name] : fail(`it has no ${quote(name)}`));
            const op = field("op"), path = tokens(field("path"));
            switch (op) {
              case "add": return add(doc, path, field("value"));
              case "remove":
                remove(doc, path);
                return doc;
              case "replace": return replace(doc, path, field("value"));
              case "copy": return add(doc, path, structuredClone(resolve(doc, tokens(field("from")))));
              case "move": {
                const from = tokens(field("from"));
                const within = from.length <= path.length && from.every((token, i) => token === path[i]);
                if (within && from.length < path.length) fail("cannot move a value into itself");
                if (!within) return add(doc, path, remove(doc, from));
                resolve(doc, from); // to itself: nothing moves, but it must be there
                return doc;
              }
              case "test":
                if (!equal(resolve(doc, path), field("value"))) fail(`the value at ${quote(field("path"))} differs`);
                return doc;
              default: return fail(`unknown op ${quote(op)}`);
            }
          }

          function applyPatch(current, patch) {
            if (!Array.isArray(patch)) fail("a patch must be an array");
            let doc = structuredClone(current);
            patch.forEach((operation, index) => {
              try {
                doc = operate(doc, operation);
              } catch (error) {
                if (error instanceof PatchError) error.message = `operation ${index}: ${error.message}`;
                throw error;
              }
            });
            return doc;
          }

          // The page: the live state, what the header shows, the connection.
          const view = {
            document: undefined, version: "", patches: 0, errors: 0, error: "", stale: false,
            state: "connecting", bytes: 0, changed: null, upstream: "", applyPatch,
          };
          window.streamtop = view;
          const element = (id) => document.getElementById(id);
          const encoder = new TextEncoder();
          const none = "\u2013";
          let source = null;

          function size(bytes) {
            if (bytes < 1024) return `${bytes} B`;
            const units = ["KiB", "MiB", "GiB", "TiB"];
            let value = bytes / 1024, unit = 0;
            while (value >= 1023.95 && unit < units.length - 1) { value /= 1024; unit += 1; }
            return `${value.toFixed(1)} ${units[unit]}`;
          }

          function render(changed) {
            if (changed) element("document").textContent = JSON.stringify(view.document, null, 2);
            element("state").textContent = view.state;
            element("state").dataset.state = view.state;
            element("version").textContent = view.version || none;
            element("patches").textContent = String(view.patches);
            element("errors").textContent = String(view.errors);
            element("bytes").textContent = size(view.bytes);
            element("changed").textContent = view.changed ? view.changed.toLocaleTimeString() : none;
            const said = view.error ? (view.stale ? `${view.error} (waiting for a fresh snapshot)`
              : `last error: ${view.error}`) : view.upstream && `upstream: ${view.upstream}`;
            element("error").hidden = !said;
            element("error").textContent = said;
            document.body.classList.toggle("stale", view.stale);
          }

          function show(next, event) {
            const changed = view.document === undefined || !equal(next, view.document);
            view.document = next;
            view.version = event.lastEventId;
            view.upstream = "";
            if (changed) view.changed = new Date();
            render(changed);
          }

          function snapshot(event) {
            view.bytes += encoder.encode(event.data).length;
            let next;
            try {
              next = JSON.parse(event.data);
            } catch (error) {
              return failed(`data ${event.lastEventId} is not JSON: ${error.message}`);
            }
            view.stale = false;
            show(next, event);
          }

          function patched(event) {
            view.bytes += encoder.encode(event.data).length;
            if (view.stale) return;
            let next;
            try {
              if (view.document === undefined) fail("it came before any data event");
              next = applyPatch(view.document, JSON.parse(event.data));
            } catch (error) {
              return failed(`patch ${event.lastEventId}: ${error.message}`);
            }
            view.patches += 1;
            show(next, event);
          }

          // The document stays as it was; later patches are refused until a fresh connection
          // (without Last-Event-ID) brings a fresh snapshot.
          function failed(message) {
            view.errors += 1;
            view.error = message;
            view.stale = true;
            retry("reconnecting", 1000);
          }

          function retry(state, delay) {
            source.close();
            enter(state);
            setTimeout(connect, delay);
          }

          // Each change of the connection's state is said on the console too.
          function enter(state) {
            if (state !== view.state) console.info(`streamtop: ${state}`);
            view.state = state;
            render(false);
          }

          // EventSource reconnects by itself after a dropped connection, sending Last-Event-ID;
          // after a refusal (an error status) it is closed, and a new one starts afresh.
          function connect() {
            if (source) enter("reconnecting");
            const opened = new EventSource("sse");
            source = opened;
            opened.onopen = () => enter("open");
            opened.onerror = (event) => {
              // The server's `event: error` (a MessageEvent): the upstream's trouble, said until
              // the next document; the connection itself is fine.
              if (event.data !== undefined) {
                try { view.upstream = String(JSON.parse(event.data).message); } catch { view.upstream = event.data; }
                return render(false);
              }
              if (opened.readyState === EventSource.CLOSED) retry("closed", 5000);
              else enter("reconnecting");
            };
            opened.addEventListener("data", snapshot);
            opened.addEventListener("patch", patched);
          }

          connect();
        })();
        """#
}
