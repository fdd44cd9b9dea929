//! Streamed HTTP responses (upstream's `streaming.rs`): a handler's `Response<B>` as a
//! `lambda_runtime::StreamResponse`, its status, headers and cookies as the metadata prelude
//! and its body as the stream. lambda-sim's `lambda_runtime` writes it to the handler world's
//! response stream as upstream's runtime posts it: the content type
//! `application/vnd.awslambda.http-integration-response`, the prelude as JSON, eight null
//! bytes, then each chunk of the body as the body yields it.
//!
//! Upstream's `streaming_runtime` is left out: lambda-sim's `lambda_runtime` has no `Runtime`.

use std::fmt::Debug;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_core::Stream;
use http::header::SET_COOKIE;
use http_body::Body;
use lambda_runtime::tower::util::{MapRequest, MapResponse};
use lambda_runtime::tower::{ServiceBuilder, ServiceExt};
use lambda_runtime::{Diagnostic, Error, LambdaEvent, MetadataPrelude, Service, StreamResponse};

use crate::request::LambdaRequest;
use crate::{Request, RequestExt, Response, update_xray_trace_id_header};

/// An adapter that lifts a standard [`Service<Request>`] into a
/// [`Service<LambdaEvent<LambdaRequest>>`] which produces streaming Lambda HTTP responses.
#[non_exhaustive]
pub struct StreamAdapter<'a, S, B> {
    service: S,
    _phantom_data: PhantomData<&'a B>,
}

impl<S, B> Clone for StreamAdapter<'_, S, B>
where
    S: Clone,
{
    fn clone(&self) -> Self {
        Self {
            service: self.service.clone(),
            _phantom_data: PhantomData,
        }
    }
}

impl<'a, S, B, E> From<S> for StreamAdapter<'a, S, B>
where
    S: Service<Request, Response = Response<B>, Error = E>,
    S::Future: Send + 'a,
    B: Body + Unpin + Send + 'static,
    B::Data: Into<Bytes> + Send,
    B::Error: Into<Error> + Send + Debug,
{
    fn from(service: S) -> Self {
        StreamAdapter {
            service,
            _phantom_data: PhantomData,
        }
    }
}

impl<'a, S, B, E> Service<LambdaEvent<LambdaRequest>> for StreamAdapter<'a, S, B>
where
    S: Service<Request, Response = Response<B>, Error = E>,
    S::Future: Send + 'a,
    B: Body + Unpin + Send + 'static,
    B::Data: Into<Bytes> + Send,
    B::Error: Into<Error> + Send + Debug,
{
    type Response = StreamResponse<BodyStream<B>>;
    type Error = E;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send + 'a>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.service.poll_ready(cx)
    }

    fn call(&mut self, req: LambdaEvent<LambdaRequest>) -> Self::Future {
        let response = self.service.call(event_to_request(req));
        Box::pin(async move { response.await.map(into_stream_response) })
    }
}

/// The service `run_with_streaming_response` serves: the event as a `Request` with its Lambda
/// context, the response as a `StreamResponse`, with no boxing (upstream's, with plain function
/// pointers so that one function serves the sequential and the concurrent entry points).
type IntoStreamService<S, B> = MapResponse<
    MapRequest<S, fn(LambdaEvent<LambdaRequest>) -> Request>,
    fn(Response<B>) -> StreamResponse<BodyStream<B>>,
>;

fn into_stream_service<S, B>(handler: S) -> IntoStreamService<S, B>
where
    S: Service<Request, Response = Response<B>>,
    B: Body + Unpin + Send + 'static,
    B::Data: Into<Bytes> + Send,
    B::Error: Into<Error> + Send + Debug,
{
    ServiceBuilder::new()
        .map_request(event_to_request as fn(LambdaEvent<LambdaRequest>) -> Request)
        .service(handler)
        .map_response(into_stream_response as fn(Response<B>) -> StreamResponse<BodyStream<B>>)
}

/// Converts an `http::Response<B>` into a streaming Lambda response.
fn into_stream_response<B>(res: Response<B>) -> StreamResponse<BodyStream<B>>
where
    B: Body + Unpin + Send + 'static,
    B::Data: Into<Bytes> + Send,
    B::Error: Into<Error> + Send + Debug,
{
    let (parts, body) = res.into_parts();

    let mut headers = parts.headers;
    let cookies = headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|c| String::from_utf8_lossy(c.as_bytes()).to_string())
        .collect::<Vec<_>>();
    headers.remove(SET_COOKIE);

    StreamResponse {
        metadata_prelude: MetadataPrelude {
            headers,
            status_code: parts.status,
            cookies,
        },
        stream: BodyStream { body },
    }
}

fn event_to_request(req: LambdaEvent<LambdaRequest>) -> Request {
    let LambdaEvent { payload, context } = req;
    let mut event: Request = payload.into();
    update_xray_trace_id_header(event.headers_mut(), &context);
    event.with_lambda_context(context)
}

/// Runs the function with a handler that returns **streaming** HTTP responses.
///
/// On lambda-sim each chunk of the body reaches an `InvokeWithResponseStream` caller (or a
/// streaming function URL) as the body yields it; a plain `Invoke` answers with the prelude,
/// the eight null bytes and the whole body.
pub async fn run_with_streaming_response<'a, S, B, E>(handler: S) -> Result<(), Error>
where
    S: Service<Request, Response = Response<B>, Error = E>,
    S::Future: Send + 'a,
    E: Debug + Into<Diagnostic>,
    B: Body + Unpin + Send + 'static,
    B::Data: Into<Bytes> + Send,
    B::Error: Into<Error> + Send + Debug,
{
    lambda_runtime::run(into_stream_service(handler)).await
}

/// [`run_with_streaming_response`] for Lambda Managed Instances; lambda-sim serves one
/// invocation at a time per environment.
#[cfg(feature = "concurrency-tokio")]
pub async fn run_with_streaming_response_concurrent<S, B, E>(handler: S) -> Result<(), Error>
where
    S: Service<Request, Response = Response<B>, Error = E> + Clone + Send + 'static,
    S::Future: Send + 'static,
    E: Debug + Into<Diagnostic> + Send + 'static,
    B: Body + Unpin + Send + 'static,
    B::Data: Into<Bytes> + Send,
    B::Error: Into<Error> + Send + Debug,
{
    lambda_runtime::run_concurrent(into_stream_service(handler)).await
}

/// A response body as a stream of its data frames; trailers end it.
#[non_exhaustive]
pub struct BodyStream<B> {
    pub(crate) body: B,
}

impl<B> Stream for BodyStream<B>
where
    B: Body + Unpin + Send + 'static,
    B::Data: Into<Bytes> + Send,
    B::Error: Into<Error> + Send + Debug,
{
    type Item = Result<B::Data, B::Error>;

    #[inline]
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match ready!(Pin::new(&mut self.body).poll_frame(cx)?) {
            Some(frame) => match frame.into_data() {
                Ok(data) => Poll::Ready(Some(Ok(data))),
                Err(_frame) => Poll::Ready(None),
            },
            None => Poll::Ready(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;

    use super::*;
    use crate::Body;

    // A middleware that logs requests before forwarding them to another service.
    struct LogService<S> {
        inner: S,
    }

    impl<S> Service<LambdaEvent<LambdaRequest>> for LogService<S>
    where
        S: Service<LambdaEvent<LambdaRequest>>,
    {
        type Response = S::Response;
        type Error = S::Error;
        type Future = S::Future;

        fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            self.inner.poll_ready(cx)
        }

        fn call(&mut self, event: LambdaEvent<LambdaRequest>) -> Self::Future {
            println!("Lambda event: {event:#?}");
            self.inner.call(event)
        }
    }

    #[test]
    fn stream_adapter_is_boxable() {
        // Works with a concrete service stack (no boxing).
        let svc = ServiceBuilder::new()
            .layer_fn(|service| LogService { inner: service })
            .layer_fn(StreamAdapter::from)
            .service_fn(|_req: Request| async move {
                http::Response::builder()
                    .status(StatusCode::OK)
                    .body(Body::Empty)
            });
        // Also works when the stack is boxed (type-erased).
        let _boxed_svc = svc.boxed();
    }

    #[test]
    fn set_cookie_headers_become_the_preludes_cookies() {
        let response = http::Response::builder()
            .status(StatusCode::CREATED)
            .header("set-cookie", "a=1")
            .header("set-cookie", "b=2")
            .header("content-type", "text/plain")
            .body(Body::from("hi"))
            .expect("a valid response");
        let prelude = into_stream_response(response).metadata_prelude;
        assert_eq!(prelude.status_code, StatusCode::CREATED);
        assert_eq!(prelude.cookies, ["a=1", "b=2"]);
        assert!(prelude.headers.get("set-cookie").is_none());
        assert_eq!(prelude.headers["content-type"], "text/plain");
    }
}
