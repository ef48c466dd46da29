import CCurl

extension CurlLoop {
    /// Has libcurl sign the request (engine thread, while configuring it). The key and
    /// secret go as `CURLOPT_USERNAME` and `CURLOPT_PASSWORD` (a secret may hold any
    /// character, a colon too); the signed headers are added with the others (`setHeaders`).
    /// The path goes as is: libcurl would otherwise resolve `.` and `..` in an object's key,
    /// and sign and fetch another object.
    static func sign(_ easy: UnsafeMutableRawPointer, with signing: AWSSigning) {
        ccurl_easy_setopt_string(easy, CURLOPT_AWS_SIGV4, signing.provider)
        ccurl_easy_setopt_string(easy, CURLOPT_USERNAME, signing.credentials.accessKeyID)
        ccurl_easy_setopt_string(easy, CURLOPT_PASSWORD, signing.credentials.secretAccessKey)
        ccurl_easy_setopt_long(easy, CURLOPT_PATH_AS_IS, 1)
    }
}
