namespace Functional.Telemetry

// The stable attribute names of the OpenTelemetry semantic conventions (SemanticConventions.Version), one module per
// namespace: `[<Literal>]` values, which C# reads as const fields of static classes. Declarations only, so no .fsi:
// the docs are here. Checked name by name and value by value against @opentelemetry/semantic-conventions
// (tests/Functional.Telemetry.Tests/SemanticConventions).

/// Stable attributes of <c>http.*</c>: HTTP client and server spans and metrics.
[<RequireQualifiedAccess>]
module HttpAttributes =
    /// HTTP request method.
    [<Literal>]
    let RequestMethod = "http.request.method"

    /// The values of <c>http.request.method</c> the conventions define.
    [<RequireQualifiedAccess>]
    module RequestMethodValues =
        /// CONNECT method.
        [<Literal>]
        let Connect = "CONNECT"

        /// DELETE method.
        [<Literal>]
        let Delete = "DELETE"

        /// GET method.
        [<Literal>]
        let Get = "GET"

        /// HEAD method.
        [<Literal>]
        let Head = "HEAD"

        /// OPTIONS method.
        [<Literal>]
        let Options = "OPTIONS"

        /// Any HTTP method that the instrumentation has no prior knowledge of.
        [<Literal>]
        let Other = "_OTHER"

        /// PATCH method.
        [<Literal>]
        let Patch = "PATCH"

        /// POST method.
        [<Literal>]
        let Post = "POST"

        /// PUT method.
        [<Literal>]
        let Put = "PUT"

        /// TRACE method.
        [<Literal>]
        let Trace = "TRACE"

    /// Original HTTP method sent by the client in the request line.
    [<Literal>]
    let RequestMethodOriginal = "http.request.method_original"

    /// The ordinal number of request resending attempt (for any reason, including redirects).
    [<Literal>]
    let RequestResendCount = "http.request.resend_count"

    /// HTTP response status code.
    [<Literal>]
    let ResponseStatusCode = "http.response.status_code"

    /// The matched route template for the request.
    [<Literal>]
    let Route = "http.route"

    /// HTTP request headers: <c>http.request.header.&lt;key&gt;</c>, the key being the header name in lowercase and the
    /// value the header's values (a string array).
    [<CompiledName("RequestHeader")>]
    let requestHeader (key: string) = "http.request.header." + (if isNull key then "" else key.ToLowerInvariant())

    /// HTTP response headers: <c>http.response.header.&lt;key&gt;</c>, the key being the header name in lowercase and the
    /// value the header's values (a string array).
    [<CompiledName("ResponseHeader")>]
    let responseHeader (key: string) = "http.response.header." + (if isNull key then "" else key.ToLowerInvariant())

/// Stable attributes of <c>url.*</c>: URLs and their components.
[<RequireQualifiedAccess>]
module UrlAttributes =
    /// The URI fragment component.
    [<Literal>]
    let Fragment = "url.fragment"

    /// Absolute URL describing a network resource according to RFC3986.
    [<Literal>]
    let Full = "url.full"

    /// The URI path component.
    [<Literal>]
    let Path = "url.path"

    /// The URI query component.
    [<Literal>]
    let Query = "url.query"

    /// The URI scheme component identifying the used protocol.
    [<Literal>]
    let Scheme = "url.scheme"

/// Stable attributes of <c>server.*</c>: the server side of a network connection (the logical server, as the client knows it).
[<RequireQualifiedAccess>]
module ServerAttributes =
    /// Server domain name if available without reverse DNS lookup; otherwise, IP address or UNIX domain socket name.
    [<Literal>]
    let Address = "server.address"

    /// Server port number.
    [<Literal>]
    let Port = "server.port"

/// Stable attributes of <c>client.*</c>: the client side of a network connection (the logical client, as the server knows it).
[<RequireQualifiedAccess>]
module ClientAttributes =
    /// Client address - domain name if available without reverse DNS lookup; otherwise, IP address or UNIX domain socket name.
    [<Literal>]
    let Address = "client.address"

    /// Client port number.
    [<Literal>]
    let Port = "client.port"

/// Stable attributes of <c>network.*</c>: the network connection: transport, protocol and the peers' addresses.
[<RequireQualifiedAccess>]
module NetworkAttributes =
    /// Local address of the network connection - IP address or UNIX domain socket name.
    [<Literal>]
    let LocalAddress = "network.local.address"

    /// Local port number of the network connection.
    [<Literal>]
    let LocalPort = "network.local.port"

    /// Peer address of the network connection - IP address or UNIX domain socket name.
    [<Literal>]
    let PeerAddress = "network.peer.address"

    /// Peer port number of the network connection.
    [<Literal>]
    let PeerPort = "network.peer.port"

    /// OSI application layer or non-OSI equivalent.
    [<Literal>]
    let ProtocolName = "network.protocol.name"

    /// The actual version of the protocol used for network communication.
    [<Literal>]
    let ProtocolVersion = "network.protocol.version"

    /// OSI transport layer or inter-process communication method.
    [<Literal>]
    let Transport = "network.transport"

    /// The values of <c>network.transport</c> the conventions define.
    [<RequireQualifiedAccess>]
    module TransportValues =
        /// Named or anonymous pipe.
        [<Literal>]
        let Pipe = "pipe"

        /// QUIC.
        [<Literal>]
        let Quic = "quic"

        /// TCP.
        [<Literal>]
        let Tcp = "tcp"

        /// UDP.
        [<Literal>]
        let Udp = "udp"

        /// UNIX domain socket.
        [<Literal>]
        let Unix = "unix"

    /// OSI network layer or non-OSI equivalent.
    [<Literal>]
    let Type = "network.type"

    /// The values of <c>network.type</c> the conventions define.
    [<RequireQualifiedAccess>]
    module TypeValues =
        /// IPv4.
        [<Literal>]
        let Ipv4 = "ipv4"

        /// IPv6.
        [<Literal>]
        let Ipv6 = "ipv6"

/// Stable attributes of <c>error.*</c>: what kind of error an operation ended with.
[<RequireQualifiedAccess>]
module ErrorAttributes =
    /// Describes a class of error the operation ended with.
    [<Literal>]
    let Type = "error.type"

    /// The values of <c>error.type</c> the conventions define.
    [<RequireQualifiedAccess>]
    module TypeValues =
        /// A fallback error value to be used when the instrumentation doesn't define a custom value.
        [<Literal>]
        let Other = "_OTHER"

/// Stable attributes of <c>exception.*</c>: exceptions, recorded as span events or log records.
[<RequireQualifiedAccess>]
module ExceptionAttributes =
    /// The exception message.
    [<Literal>]
    let Message = "exception.message"

    /// A stacktrace as a string in the natural representation for the language runtime.
    [<Literal>]
    let Stacktrace = "exception.stacktrace"

    /// The type of the exception (its fully-qualified class name, if applicable).
    [<Literal>]
    let Type = "exception.type"

/// Stable attributes of <c>service.*</c>: the logical service (resource attributes).
[<RequireQualifiedAccess>]
module ServiceAttributes =
    /// The string ID of the service instance.
    [<Literal>]
    let InstanceId = "service.instance.id"

    /// Logical name of the service.
    [<Literal>]
    let Name = "service.name"

    /// A namespace for <c>service.name</c>.
    [<Literal>]
    let Namespace = "service.namespace"

    /// The version string of the service component.
    [<Literal>]
    let Version = "service.version"

/// Stable attributes of <c>deployment.*</c>: the deployment environment (resource attributes). Only <c>deployment.environment.name</c> is stable; <c>deployment.id</c>, <c>deployment.name</c> and <c>deployment.status</c> are experimental and not defined here.
[<RequireQualifiedAccess>]
module DeploymentAttributes =
    /// Name of the deployment environment (aka deployment tier).
    [<Literal>]
    let EnvironmentName = "deployment.environment.name"

    /// The values of <c>deployment.environment.name</c> the conventions define.
    [<RequireQualifiedAccess>]
    module EnvironmentNameValues =
        /// Development environment.
        [<Literal>]
        let Development = "development"

        /// Production environment.
        [<Literal>]
        let Production = "production"

        /// Staging environment.
        [<Literal>]
        let Staging = "staging"

        /// Testing environment.
        [<Literal>]
        let Test = "test"

/// Stable attributes of <c>telemetry.*</c>: the telemetry SDK and distribution (resource attributes).
[<RequireQualifiedAccess>]
module TelemetryAttributes =
    /// The name of the auto instrumentation agent or distribution, if used.
    [<Literal>]
    let DistroName = "telemetry.distro.name"

    /// The version string of the auto instrumentation agent or distribution, if used.
    [<Literal>]
    let DistroVersion = "telemetry.distro.version"

    /// The language of the telemetry SDK.
    [<Literal>]
    let SdkLanguage = "telemetry.sdk.language"

    /// The values of <c>telemetry.sdk.language</c> the conventions define.
    [<RequireQualifiedAccess>]
    module SdkLanguageValues =
        /// C++.
        [<Literal>]
        let Cpp = "cpp"

        /// .NET.
        [<Literal>]
        let Dotnet = "dotnet"

        /// Erlang/Elixir.
        [<Literal>]
        let Erlang = "erlang"

        /// Go.
        [<Literal>]
        let Go = "go"

        /// Java.
        [<Literal>]
        let Java = "java"

        /// Kotlin.
        [<Literal>]
        let Kotlin = "kotlin"

        /// Node.js.
        [<Literal>]
        let Nodejs = "nodejs"

        /// PHP.
        [<Literal>]
        let Php = "php"

        /// Python.
        [<Literal>]
        let Python = "python"

        /// Ruby.
        [<Literal>]
        let Ruby = "ruby"

        /// Rust.
        [<Literal>]
        let Rust = "rust"

        /// Swift.
        [<Literal>]
        let Swift = "swift"

        /// Browser.
        [<Literal>]
        let Webjs = "webjs"

    /// The name of the telemetry SDK.
    [<Literal>]
    let SdkName = "telemetry.sdk.name"

    /// The version string of the telemetry SDK.
    [<Literal>]
    let SdkVersion = "telemetry.sdk.version"

/// Stable attributes of <c>code.*</c>: the source code location of an operation.
[<RequireQualifiedAccess>]
module CodeAttributes =
    /// The column number in <c>code.file.path</c> best representing the operation.
    [<Literal>]
    let ColumnNumber = "code.column.number"

    /// The source code filename that identifies the code unit as uniquely as possible (preferably an absolute file path).
    [<Literal>]
    let FilePath = "code.file.path"

    /// The method or function fully-qualified name without arguments.
    [<Literal>]
    let FunctionName = "code.function.name"

    /// The line number in <c>code.file.path</c> best representing the operation.
    [<Literal>]
    let LineNumber = "code.line.number"

    /// A stacktrace as a string in the natural representation for the language runtime.
    [<Literal>]
    let Stacktrace = "code.stacktrace"

/// Stable attributes of <c>db.*</c>: database client spans and metrics. Only these are stable; the system-specific <c>db.*</c> attributes are experimental and not defined here.
[<RequireQualifiedAccess>]
module DbAttributes =
    /// The name of a collection (table, container) within the database.
    [<Literal>]
    let CollectionName = "db.collection.name"

    /// The name of the database, fully qualified within the server address and port.
    [<Literal>]
    let Namespace = "db.namespace"

    /// The number of database operations included in a batch operation.
    [<Literal>]
    let OperationBatchSize = "db.operation.batch.size"

    /// The name of the operation or command being executed.
    [<Literal>]
    let OperationName = "db.operation.name"

    /// Low cardinality summary of a database query.
    [<Literal>]
    let QuerySummary = "db.query.summary"

    /// The database query being executed.
    [<Literal>]
    let QueryText = "db.query.text"

    /// Database response status code.
    [<Literal>]
    let ResponseStatusCode = "db.response.status_code"

    /// The name of a stored procedure within the database.
    [<Literal>]
    let StoredProcedureName = "db.stored_procedure.name"

    /// The database management system (DBMS) product as identified by the client instrumentation.
    [<Literal>]
    let SystemName = "db.system.name"

    /// The values of <c>db.system.name</c> the conventions define.
    [<RequireQualifiedAccess>]
    module SystemNameValues =
        /// MariaDB.
        [<Literal>]
        let Mariadb = "mariadb"

        /// Microsoft SQL Server.
        [<Literal>]
        let MicrosoftSqlServer = "microsoft.sql_server"

        /// MySQL.
        [<Literal>]
        let Mysql = "mysql"

        /// PostgreSQL.
        [<Literal>]
        let Postgresql = "postgresql"

/// Stable attributes of <c>rpc.*</c>: remote procedure call spans and metrics.
[<RequireQualifiedAccess>]
module RpcAttributes =
    /// The fully-qualified logical name of the method from the RPC interface perspective.
    [<Literal>]
    let Method = "rpc.method"

    /// The original name of the method used by the client.
    [<Literal>]
    let MethodOriginal = "rpc.method_original"

    /// Status code of the RPC returned by the RPC server or generated by the client.
    [<Literal>]
    let StatusCode = "rpc.status_code"

    /// The Remote Procedure Call (RPC) system.
    [<Literal>]
    let SystemName = "rpc.system.name"

    /// The values of <c>rpc.system.name</c> the conventions define.
    [<RequireQualifiedAccess>]
    module SystemNameValues =
        /// Apache Dubbo.
        [<Literal>]
        let Dubbo = "dubbo"

        /// gRPC.
        [<Literal>]
        let Grpc = "grpc"

/// Stable attributes of <c>user_agent.*</c>: the HTTP User-Agent.
[<RequireQualifiedAccess>]
module UserAgentAttributes =
    /// Value of the HTTP User-Agent header sent by the client.
    [<Literal>]
    let Original = "user_agent.original"
