//! A team's own bench, as the harness makes it: cold and warm paths of two fixtures side by
//! side, five lines each (`cargo bench -p lambda-sim-benches --bench handler`).

use criterion::Criterion;
use serde_json::json;

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let apigw = std::fs::read(format!(
        "{}/apigw/get.json",
        lambda_sim_fixtures::EVENTS_DIR
    ))
    .expect("the sample event");
    let apigw: serde_json::Value = serde_json::from_slice(&apigw).expect("JSON");
    lambda_sim_harness::bench_cold_and_warm(
        &mut c,
        "hello",
        lambda_sim_fixtures::HELLO,
        json!({"name": "Ada"}),
    );
    lambda_sim_harness::bench_cold_and_warm(&mut c, "apigw", lambda_sim_fixtures::APIGW, apigw);
    c.final_summary();
}
