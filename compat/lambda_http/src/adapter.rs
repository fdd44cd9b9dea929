//! [`Adapter`]: a `Service<Request>` as the `Service<LambdaEvent<LambdaRequest>>` that
//! `lambda_runtime::run` serves, its response shaped for the event's origin (upstream's
//! `lib.rs`, unchanged but for formatting).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use lambda_runtime::{LambdaEvent, Service};

use crate::into_response::{IntoResponse, ResponseFuture};
use crate::request::{LambdaRequest, RequestFuture, RequestOrigin};
use crate::response::LambdaResponse;
use crate::{Request, RequestExt, update_xray_trace_id_header};

/// Future that converts an [`IntoResponse`] into a [`LambdaResponse`] for the request's
/// origin.
///
/// This is used by the `Adapter` wrapper and is completely internal to `lambda_http::run`.
#[non_exhaustive]
#[doc(hidden)]
pub enum TransformResponse<'a, R, E> {
    Request(RequestOrigin, RequestFuture<'a, R, E>),
    Response(RequestOrigin, ResponseFuture),
}

impl<R, E> Future for TransformResponse<'_, R, E>
where
    R: IntoResponse,
{
    type Output = Result<LambdaResponse, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        match *self {
            TransformResponse::Request(ref mut origin, ref mut request) => {
                match request.as_mut().poll(cx) {
                    Poll::Ready(Ok(resp)) => {
                        *self = TransformResponse::Response(origin.clone(), resp.into_response());
                        self.poll(cx)
                    }
                    Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
                    Poll::Pending => Poll::Pending,
                }
            }
            TransformResponse::Response(ref mut origin, ref mut response) => {
                match response.as_mut().poll(cx) {
                    Poll::Ready(resp) => {
                        Poll::Ready(Ok(LambdaResponse::from_response(origin, resp)))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

/// Wraps a `Service<Request>` in a `Service<LambdaEvent<LambdaRequest>>`.
///
/// This is completely internal to the `lambda_http::run` function.
#[non_exhaustive]
#[doc(hidden)]
pub struct Adapter<'a, R, S> {
    service: S,
    _phantom_data: PhantomData<&'a R>,
}

impl<R, S> Clone for Adapter<'_, R, S>
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

impl<'a, R, S, E> From<S> for Adapter<'a, R, S>
where
    S: Service<Request, Response = R, Error = E>,
    S::Future: Send + 'a,
    R: IntoResponse,
{
    fn from(service: S) -> Self {
        Adapter {
            service,
            _phantom_data: PhantomData,
        }
    }
}

impl<'a, R, S, E> Service<LambdaEvent<LambdaRequest>> for Adapter<'a, R, S>
where
    S: Service<Request, Response = R, Error = E>,
    S::Future: Send + 'a,
    R: IntoResponse,
{
    type Response = LambdaResponse;
    type Error = E;
    type Future = TransformResponse<'a, R, Self::Error>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.service.poll_ready(cx)
    }

    fn call(&mut self, req: LambdaEvent<LambdaRequest>) -> Self::Future {
        let LambdaEvent { payload, context } = req;
        let request_origin = payload.request_origin();
        let mut event: Request = payload.into();
        update_xray_trace_id_header(event.headers_mut(), &context);
        let fut = Box::pin(self.service.call(event.with_lambda_context(context)));

        TransformResponse::Request(request_origin, fut)
    }
}

#[cfg(test)]
mod tests {
    use std::task::{Context, Poll};

    use crate::{
        Adapter, Body, Request,
        http::{Response, StatusCode},
        lambda_runtime::LambdaEvent,
        request::LambdaRequest,
        response::LambdaResponse,
        tower::{Service, ServiceBuilder, ServiceExt, util::BoxService},
    };

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

    /// `Adapter` can sit in a tower stack with middleware between `lambda_runtime::run` and
    /// the conversion of the event into a `Request` (upstream's test).
    #[test]
    fn adapter_is_boxable() {
        let _service: BoxService<LambdaEvent<LambdaRequest>, LambdaResponse, http::Error> =
            ServiceBuilder::new()
                .layer_fn(|service| LogService { inner: service })
                .layer_fn(Adapter::from)
                .service_fn(|_event: Request| async move {
                    Response::builder().status(StatusCode::OK).body(Body::Empty)
                })
                .boxed();
    }
}
