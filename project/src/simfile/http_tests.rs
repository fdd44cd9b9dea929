//! `lambda-sim.toml`'s HTTP front door: `[[route]]`, `[api.rest]`, `[api.http]` and
//! `[[function_url]]` read into a project, and their mistakes named.

use std::path::Path;

use super::parse;
use crate::{ApiKind, ApiSettings, CorsSpec, FunctionUrlSpec, InvokeMode, Result, RouteSpec};

const FUNCTIONS: &str = "[[function]]\nname = \"hello\"\npath = \"hello.wasm\"\n\n[[function]]\nname = \"items\"\npath = \"items.wasm\"\n";

fn error(text: &str) -> String {
    let text = format!("{FUNCTIONS}{text}");
    match parse(&text, Path::new(".")) {
        Err(err) => err.to_string(),
        Ok(_) => panic!("{text} should be refused"),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn routes_apis_and_urls_read_into_the_model() -> Result<()> {
    let text = format!(
        r#"{FUNCTIONS}
        [[route]]
        function = "hello"
        method = "get"
        path = "/hello/{{name}}"
        timeout_ms = 5000

        [[route]]
        function = "items"
        api = "rest"
        method = "any"
        path = "/items/{{proxy+}}"

        [[route]]
        function = "hello"
        path = "$default"
        payload_format = "1.0"

        [api.rest]
        binary_media_types = ["image/png"]
        cors = {{ allow_origins = ["*"] }}

        [api.http]
        stage = "live"

        [[function_url]]
        function = "hello"
        invoke_mode = "RESPONSE_STREAM"
        cors = {{ allow_origins = ["https://example.com"], allow_methods = ["GET"], max_age = 300, allow_credentials = true }}
        "#
    );
    let file = parse(&text, Path::new("/work"))?;
    let mut greet = RouteSpec::new("hello", ApiKind::Http, Some("GET"), "/hello/{name}");
    greet.timeout_ms = Some(5_000);
    let mut fallback = RouteSpec::new("hello", ApiKind::Http, None, "$default");
    fallback.payload_format = Some("1.0".to_owned());
    assert_eq!(
        file.routes,
        [
            greet,
            RouteSpec::new("items", ApiKind::Rest, None, "/items/{proxy+}"),
            fallback,
        ]
    );
    let rest = ApiSettings {
        binary_media_types: strings(&["image/png"]),
        cors: Some(CorsSpec {
            allow_origins: strings(&["*"]),
            ..CorsSpec::default()
        }),
        ..ApiSettings::default()
    };
    assert_eq!(file.apis.rest, rest);
    let http = ApiSettings {
        stage: Some("live".to_owned()),
        ..ApiSettings::default()
    };
    assert_eq!(file.apis.http, http);
    let mut url = FunctionUrlSpec::new("hello");
    url.invoke_mode = InvokeMode::ResponseStream;
    url.cors = Some(CorsSpec {
        allow_origins: strings(&["https://example.com"]),
        allow_methods: strings(&["GET"]),
        max_age: Some(300),
        allow_credentials: true,
        ..CorsSpec::default()
    });
    assert_eq!(file.function_urls, [url]);
    assert!(file.warnings.is_empty());
    Ok(())
}

#[test]
fn route_and_url_mistakes_are_named() {
    let cases = [
        (
            "[[route]]\nfunction = \"nope\"\npath = \"/x\"\n",
            "route `ANY /x` invokes `nope`, which is not a function of the file",
        ),
        (
            "[[function_url]]\nfunction = \"nope\"\n",
            "a function URL invokes `nope`, which is not a function of the file",
        ),
        (
            "[[function_url]]\nfunction = \"hello\"\n\n[[function_url]]\nfunction = \"hello\"\ninvoke_mode = \"BUFFERED\"\n",
            "function `hello` has more than one function URL",
        ),
        (
            "[[route]]\nfunction = \"hello\"\nmethod = \"GET\"\npath = \"/x\"\n\n[[route]]\nfunction = \"items\"\nmethod = \"get\"\npath = \"/x\"\n",
            "`GET /x` of the HTTP API is routed to both `hello` and `items`",
        ),
        (
            "[[route]]\nfunction = \"hello\"\npath = \"/{proxy+}/x\"\n",
            "route `ANY /{proxy+}/x` of `hello`: the greedy path variable `{proxy+}` must end the path",
        ),
        (
            "[[route]]\nfunction = \"hello\"\napi = \"rest\"\npath = \"$default\"\n",
            "route `ANY $default` of `hello`: `$default` is a route of HTTP APIs only",
        ),
        (
            "[[route]]\nfunction = \"hello\"\nmethod = \"GET\"\npath = \"$default\"\n",
            "route `GET $default` of `hello`: the `$default` route takes no method",
        ),
        (
            "[[route]]\nfunction = \"hello\"\npath = \"hello\"\n",
            "route `ANY hello` of `hello`: the path must start with `/` (or be `$default`)",
        ),
        (
            "[[route]]\nfunction = \"hello\"\napi = \"rest\"\npath = \"/x\"\ntimeout_ms = 30000\n",
            "route `ANY /x` of `hello`: a timeout of 30000 ms is outside the REST API's range of 50 to 29000 milliseconds",
        ),
        (
            "[[route]]\nfunction = \"hello\"\napi = \"rest\"\npath = \"/x\"\npayload_format = \"2.0\"\n",
            "route `ANY /x` of `hello`: a REST API's payload format is 1.0 (`payload_format` is for HTTP APIs)",
        ),
        (
            "[[route]]\nfunction = \"hello\"\npath = \"/x\"\npayload_format = \"3.0\"\n",
            "route `ANY /x` of `hello`: payload format `3.0` is not 1.0 or 2.0",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(
            error(text),
            format!("invalid configuration: {message}"),
            "{text}"
        );
    }
    // The tables refuse unknown keys, with their line.
    let typo = error("[[function_url]]\nfunction = \"hello\"\nauth = \"NONE\"\n");
    assert!(
        typo.contains("line 10") && typo.contains("unknown field `auth`"),
        "{typo}"
    );
    let mode = error("[[function_url]]\nfunction = \"hello\"\ninvoke_mode = \"STREAM\"\n");
    assert!(mode.contains("unknown variant `STREAM`"), "{mode}");
}
