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
