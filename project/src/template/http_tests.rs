//! SAM templates' HTTP front door read into a project: `Api` and `HttpApi` events as routes,
//! the APIs' settings (from their resources or from `Globals`), function URLs, and each
//! mistake named with its line.

use std::path::Path;

use super::parse;
use crate::{ApiKind, ApiSettings, CorsSpec, FunctionUrlSpec, InvokeMode, Project, RouteSpec};

fn parse_ok(text: &str) -> Project {
    match parse(text, Path::new("/app"), "template.yaml") {
        Ok(file) => file,
        Err(err) => panic!("the template should read: {err}"),
    }
}

fn parse_err(text: &str) -> String {
    match parse(text, Path::new("/app"), "template.yaml") {
        Ok(_) => panic!("the template should be refused:\n{text}"),
        Err(err) => err.to_string(),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

const IMPLICIT: &str = r#"Globals:
  Api:
    BinaryMediaTypes: ['image~1png']
    Cors: "'*'"
    EndpointConfiguration: REGIONAL
  HttpApi:
    CorsConfiguration: true
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello.wasm
      Events:
        Greet:
          Type: HttpApi
          Properties:
            Path: /hello/{name}
            Method: get
            TimeoutInMillis: 5000
        Items:
          Type: Api
          Properties:
            Path: /items/{proxy+}
            Method: any
            Auth:
              ApiKeyRequired: true
  Fallback:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fallback.wasm
      Events:
        Default:
          Type: HttpApi
      FunctionUrlConfig:
        AuthType: NONE
        InvokeMode: RESPONSE_STREAM
        Cors:
          AllowOrigins: [https://example.com]
          AllowMethods: [GET, POST]
          AllowHeaders: [content-type]
          ExposeHeaders: [x-request-id]
          MaxAge: 300
          AllowCredentials: true
"#;

#[test]
fn events_are_routes_of_the_implicit_apis_with_the_globals_settings() {
    let file = parse_ok(IMPLICIT);
    // Functions in logical-id order, each one's events in key order.
    let mut greet = RouteSpec::new("Hello", ApiKind::Http, Some("GET"), "/hello/{name}");
    greet.timeout_ms = Some(5_000);
    assert_eq!(
        file.routes,
        [
            RouteSpec::new("Fallback", ApiKind::Http, None, "$default"),
            greet,
            RouteSpec::new("Hello", ApiKind::Rest, None, "/items/{proxy+}"),
        ]
    );
    // `~1` is SAM's `/`; a `Cors` string is the allowed origin, in single quotes.
    let rest = ApiSettings {
        binary_media_types: strings(&["image/png"]),
        cors: Some(CorsSpec {
            allow_origins: strings(&["*"]),
            ..CorsSpec::default()
        }),
        stage: Some("Prod".to_owned()),
    };
    assert_eq!(file.apis.rest, rest);
    // `CorsConfiguration: true` allows every origin, method and header.
    let http = ApiSettings {
        cors: Some(CorsSpec {
            allow_origins: strings(&["*"]),
            allow_methods: strings(&["*"]),
            allow_headers: strings(&["*"]),
            ..CorsSpec::default()
        }),
        stage: Some("$default".to_owned()),
        ..ApiSettings::default()
    };
    assert_eq!(file.apis.http, http);

    let mut url = FunctionUrlSpec::new("Fallback");
    url.invoke_mode = InvokeMode::ResponseStream;
    url.cors = Some(CorsSpec {
        allow_origins: strings(&["https://example.com"]),
        allow_methods: strings(&["GET", "POST"]),
        allow_headers: strings(&["content-type"]),
        expose_headers: strings(&["x-request-id"]),
        max_age: Some(300),
        allow_credentials: true,
    });
    assert_eq!(file.function_urls, [url]);
    assert_eq!(
        file.warnings,
        [
            "template.yaml: `Globals.Api.EndpointConfiguration` is not simulated (ignored)",
            "template.yaml: function `Hello`: `Events.Items.Properties.Auth` ignored: not simulated",
        ]
    );
}

const EXPLICIT: &str = r#"Globals:
  Api:
    BinaryMediaTypes: ['image~1gif']
  Function:
    FunctionUrlConfig:
      AuthType: AWS_IAM
Resources:
  Shop:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      BinaryMediaTypes: ['*~1*']
      Cors:
        AllowOrigin: "'https://shop.example'"
        AllowMethods: "'GET, POST'"
        AllowHeaders: "'content-type,x-api-key'"
        MaxAge: "'600'"
        AllowCredentials: true
      DefinitionBody: {}
  Admin:
    Type: AWS::Serverless::Api
    Properties:
      StageName: admin
  Chat:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: live
      CorsConfiguration:
        AllowOrigins: ['*']
        AllowMethods: [GET]
        MaxAge: 60
  Buy:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: buy.wasm
      Events:
        Buy:
          Type: Api
          Properties:
            RestApiId: !Ref Shop
            Path: /buy
            Method: POST
            TimeoutInMillis: 29000
        Users:
          Type: Api
          Properties:
            RestApiId: !Ref Admin
            Path: /users
            Method: GET
        Chat:
          Type: HttpApi
          Properties:
            ApiId: !Ref Chat
            Path: /chat
            PayloadFormatVersion: '1.0'
"#;

#[test]
fn explicit_apis_are_served_on_one_front_door_per_kind() {
    let file = parse_ok(EXPLICIT);
    let mut buy = RouteSpec::new("Buy", ApiKind::Rest, Some("POST"), "/buy");
    buy.timeout_ms = Some(29_000);
    let mut chat = RouteSpec::new("Buy", ApiKind::Http, None, "/chat");
    chat.payload_format = Some("1.0".to_owned());
    assert_eq!(
        file.routes,
        [
            buy,
            chat,
            RouteSpec::new("Buy", ApiKind::Rest, Some("GET"), "/users"),
        ]
    );
    // The first API a route uses gives the settings, over the globals'.
    let rest = ApiSettings {
        binary_media_types: strings(&["image/gif", "*/*"]),
        cors: Some(CorsSpec {
            allow_origins: strings(&["https://shop.example"]),
            allow_methods: strings(&["GET", "POST"]),
            allow_headers: strings(&["content-type", "x-api-key"]),
            max_age: Some(600),
            allow_credentials: true,
            ..CorsSpec::default()
        }),
        stage: Some("v1".to_owned()),
    };
    assert_eq!(file.apis.rest, rest);
    let http = ApiSettings {
        cors: Some(CorsSpec {
            allow_origins: strings(&["*"]),
            allow_methods: strings(&["GET"]),
            max_age: Some(60),
            ..CorsSpec::default()
        }),
        stage: Some("live".to_owned()),
        ..ApiSettings::default()
    };
    assert_eq!(file.apis.http, http);
    // `Globals.Function.FunctionUrlConfig` gives every function a URL.
    assert_eq!(file.function_urls, [FunctionUrlSpec::new("Buy")]);
    assert_eq!(
        file.warnings,
        [
            "template.yaml:6: function `Buy`: `FunctionUrlConfig.AuthType` `AWS_IAM`: requests are not checked for a signature (served as `NONE`)",
            "template.yaml: REST API `Shop`: property `DefinitionBody` ignored: not simulated",
            "template.yaml: the REST APIs `Shop`, `Admin` are served together on one front door, with the settings of `Shop`",
        ]
    );
}

/// A template of one function `Fn` with `props` (indented for `Properties`), and `more`
/// resources.
fn function(props: &str, more: &str) -> String {
    format!(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f.wasm\n{props}{more}"
    )
}

/// A template whose function `Fn` has one event of `r#type` with `props`.
fn event(r#type: &str, props: &str) -> String {
    function(
        &format!(
            "      Events:\n        E:\n          Type: {type}\n          Properties:\n{props}",
            type = r#type
        ),
        "",
    )
}

#[test]
fn route_mistakes_are_named() {
    let cases = [
        (
            event("Api", "            Path: /x\n"),
            "template.yaml: function `Fn`: `Events.E.Properties.Method` is missing",
        ),
        (
            event("Api", "            Method: GET\n"),
            "template.yaml: function `Fn`: `Events.E.Properties.Path` is missing",
        ),
        (
            event("HttpApi", "            Method: GET\n"),
            "template.yaml: function `Fn`: `Events.E.Properties.Path` is missing (an `HttpApi` event without `Path` and `Method` is the `$default` route)",
        ),
        (
            event(
                "HttpApi",
                "            Path: /x\n            TimeoutInMillis: 30001\n",
            ),
            "template.yaml:11: function `Fn`: `Events.E.Properties.TimeoutInMillis` 30001 is outside API Gateway's range of 50 to 30000 milliseconds",
        ),
        (
            event(
                "Api",
                "            Path: /x\n            Method: GET\n            TimeoutInMillis: 49\n",
            ),
            "template.yaml:12: function `Fn`: `Events.E.Properties.TimeoutInMillis` 49 is outside API Gateway's range of 50 to 29000 milliseconds",
        ),
        (
            event(
                "HttpApi",
                "            Path: /x\n            PayloadFormatVersion: '3.0'\n",
            ),
            "template.yaml:11: function `Fn`: `Events.E.Properties.PayloadFormatVersion` `3.0` is not 1.0 or 2.0",
        ),
        (
            event(
                "Api",
                "            Path: /x\n            Method: GET\n            RestApiId: !Ref Fn\n",
            ),
            "template.yaml:12: function `Fn`: `Events.E.Properties.RestApiId` refers to `Fn`, which is not an `AWS::Serverless::Api` resource of the template",
        ),
        (
            event(
                "HttpApi",
                "            Path: /x\n            ApiId: my-api\n",
            ),
            "template.yaml:11: function `Fn`: `Events.E.Properties.ApiId` must be `!Ref` of an `AWS::Serverless::HttpApi` resource of the template",
        ),
        (
            event(
                "Api",
                "            Path: /a/{proxy+}/b\n            Method: GET\n",
            ),
            "template.yaml: route `GET /a/{proxy+}/b` of `Fn`: the greedy path variable `{proxy+}` must end the path",
        ),
        (
            event(
                "HttpApi",
                "            Path: /x\n            Method: FETCH\n",
            ),
            "template.yaml: route `FETCH /x` of `Fn`: `FETCH` is not a method API Gateway routes (one of: ANY, GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS)",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(
            parse_err(&text),
            format!("invalid configuration: {message}"),
            "{text}"
        );
    }
}

#[test]
fn two_functions_on_one_route_are_refused() {
    let route = "      Events:\n        E:\n          Type: Api\n          Properties:\n            Path: /items\n            Method: get\n";
    let second = format!(
        "  Other:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: o.wasm\n{route}"
    );
    assert_eq!(
        parse_err(&function(route, &second)),
        "invalid configuration: template.yaml: `GET /items` of the REST API is routed to both `Fn` and `Other`"
    );
    // `ANY` is its own method; the same method and path on the other kind of API is another
    // route.
    let any = second.replace("get", "ANY");
    assert_eq!(parse_ok(&function(route, &any)).routes.len(), 2);
    let http = second.replace("Type: Api", "Type: HttpApi");
    assert_eq!(parse_ok(&function(route, &http)).routes.len(), 2);
}

#[test]
fn function_url_and_cors_mistakes_are_named() {
    let cases = [
        (
            function(
                "      FunctionUrlConfig:\n        InvokeMode: STREAM\n        AuthType: NONE\n",
                "",
            ),
            "template.yaml:7: function `Fn`: `FunctionUrlConfig.InvokeMode` `STREAM` is not BUFFERED or RESPONSE_STREAM",
        ),
        (
            function("      FunctionUrlConfig:\n        AuthType: COGNITO\n", ""),
            "template.yaml:7: function `Fn`: `FunctionUrlConfig.AuthType` `COGNITO` is not NONE or AWS_IAM",
        ),
        (
            function(
                "      FunctionUrlConfig:\n        InvokeMode: BUFFERED\n",
                "",
            ),
            "template.yaml:7: function `Fn`: `FunctionUrlConfig.AuthType` is missing",
        ),
        (
            function(
                "",
                "  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: v1\n      Cors: '*'\n",
            ),
            "template.yaml:10: REST API `Api`: `Cors` must be in single quotes, as API Gateway writes a header value (\"'*'\"), not `*`",
        ),
        (
            function(
                "",
                "  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      Cors:\n        AllowMethods: \"'GET'\"\n",
            ),
            "template.yaml:10: REST API `Api`: `Cors.AllowOrigin` is missing",
        ),
        (
            function(
                "",
                "  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      CorsConfiguration: '*'\n",
            ),
            "template.yaml:9: HTTP API `Api`: `CorsConfiguration` must be true, false or a map, not `\"*\"`",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(
            parse_err(&text),
            format!("invalid configuration: {message}"),
            "{text}"
        );
    }
}

#[test]
fn intrinsics_in_cors_are_evaluated() {
    let file = parse_ok(
        "Parameters:\n  Origin:\n    Type: String\n    Default: \"'https://a.example'\"\nGlobals:\n  Api:\n    Cors: !Ref Origin\n  HttpApi:\n    CorsConfiguration:\n      AllowOrigins: [!Sub 'https://${AWS::Region}.example']\n      MaxAge: !Ref Missing\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f.wasm\n",
    );
    let origins = |cors: &Option<CorsSpec>| cors.as_ref().map(|c| c.allow_origins.clone());
    assert_eq!(
        origins(&file.apis.rest.cors),
        Some(strings(&["https://a.example"]))
    );
    assert_eq!(
        origins(&file.apis.http.cors),
        Some(strings(&["https://us-east-1.example"]))
    );
    // A leaf inside `CorsConfiguration`'s map is named at the map's first line.
    assert_eq!(
        file.warnings,
        [
            "template.yaml:10: section `Globals.HttpApi`: `CorsConfiguration.MaxAge` uses !Ref Missing (not a parameter with a Default), which the simulator cannot evaluate (ignored)"
        ]
    );
}
