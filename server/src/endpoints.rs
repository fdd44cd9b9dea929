//! The AWS APIs as the runtime's [`Endpoints`]: what answers a guest's SDK calls in process.

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use lambda_sim_aws::AwsApis;
use lambda_sim_runtime::Endpoints;

/// [`AwsApis`] answering the guests' requests to the sandbox's endpoint.
pub struct ApiEndpoints(pub AwsApis);

impl Endpoints for ApiEndpoints {
    fn handle(
        &self,
        request: http::Request<Bytes>,
    ) -> Pin<Box<dyn Future<Output = http::Response<Bytes>> + Send + 'static>> {
        let apis = self.0.clone();
        Box::pin(async move { apis.handle(request).await })
    }
}

/// The AWS APIs over `runtime`'s stores and clock, answering its guests' SDK calls (to their
/// `AWS_ENDPOINT_URL`) in process: what `serve` and every other command give their functions.
/// The APIs draw request ids from the runtime's seed.
pub fn attach_aws(runtime: &lambda_sim_runtime::Runtime) -> AwsApis {
    let apis = AwsApis::new(
        runtime.services().clone(),
        std::sync::Arc::new(crate::RuntimeClock(runtime.clock().clone())),
        runtime.config().seed.unwrap_or(0),
    );
    runtime.serve_endpoints(std::sync::Arc::new(ApiEndpoints(apis.clone())));
    apis
}
