//! Why a set of routes was refused.

/// A route table API Gateway would not deploy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// A route's path is not a valid resource path.
    #[error("route `{route_key}` has an invalid path: {reason}")]
    InvalidPath {
        /// The route, as `METHOD /path`.
        route_key: String,
        /// What is wrong with the path.
        reason: String,
    },
    /// Two routes match exactly the same requests.
    #[error("route `{second}` duplicates route `{first}`")]
    DuplicateRoute {
        /// The route declared first.
        first: String,
        /// The route declared later.
        second: String,
    },
    /// The routes belong to different kinds of API.
    #[error("route `{route_key}` is for {found:?} but the first route is for {expected:?}")]
    MixedApis {
        /// The route of another kind.
        route_key: String,
        /// The kind of the first route.
        expected: crate::Api,
        /// The kind of this route.
        found: crate::Api,
    },
    /// A function URL was given routes; it has none.
    #[error("route `{route_key}` is for a function URL, which has no routes")]
    FunctionUrlRoute {
        /// The offending route.
        route_key: String,
    },
    /// A route's integration timeout is outside what API Gateway allows.
    #[error("route `{route_key}` has timeout {timeout:?}; {limits}")]
    Timeout {
        /// The route.
        route_key: String,
        /// The timeout asked for.
        timeout: std::time::Duration,
        /// The allowed range.
        limits: &'static str,
    },
    /// A route's CORS configuration is one API Gateway refuses.
    #[error("route `{route_key}` has an invalid CORS configuration: {reason}")]
    Cors {
        /// The route.
        route_key: String,
        /// What is wrong.
        reason: &'static str,
    },
}

/// A `Result` whose error is a [`GatewayError`].
pub type Result<T, E = GatewayError> = std::result::Result<T, E>;
