// zlib for Swift: deflateInit2 and inflateInit2 are macros, which Swift cannot call.
#ifndef C_ZLIB_H
#define C_ZLIB_H

#include <zlib.h>

/// Starts `stream` compressing into the gzip format at `level` (0-9).
int czlib_deflate_init_gzip(z_stream *stream, int level);

/// Starts `stream` decompressing the gzip format.
int czlib_inflate_init_gzip(z_stream *stream);

#endif
