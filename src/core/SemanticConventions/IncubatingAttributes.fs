namespace Functional.Telemetry

// Experimental ("development" or "release candidate") attributes of the conventions that this SDK writes itself (the
// process, host and OS resource detector) or that instrumentations commonly need (messaging): kept apart from the
// stable ones because they may change in any release of the conventions. Checked against the `incubating` entry
// point of @opentelemetry/semantic-conventions, and that none of them has become stable.

/// Experimental attributes of the semantic conventions (SemanticConventions.Version): names that may still change in a
/// later release of the conventions. The namespaces <c>process</c>, <c>host</c>, <c>os</c> and <c>messaging</c> have no
/// stable attributes; this holds a selection of their experimental ones.
[<RequireQualifiedAccess>]
module IncubatingAttributes =
    /// Experimental attributes of <c>host.*</c>: the host (resource attributes).
    [<RequireQualifiedAccess>]
    module Host =
        /// The CPU architecture the host system is running on.
        [<Literal>]
        let Arch = "host.arch"

        /// The values of <c>host.arch</c> the conventions define.
        [<RequireQualifiedAccess>]
        module ArchValues =
            /// AMD64.
            [<Literal>]
            let Amd64 = "amd64"

            /// ARM32.
            [<Literal>]
            let Arm32 = "arm32"

            /// ARM64.
            [<Literal>]
            let Arm64 = "arm64"

            /// Itanium.
            [<Literal>]
            let Ia64 = "ia64"

            /// 32-bit PowerPC.
            [<Literal>]
            let Ppc32 = "ppc32"

            /// 64-bit PowerPC.
            [<Literal>]
            let Ppc64 = "ppc64"

            /// IBM z/Architecture.
            [<Literal>]
            let S390x = "s390x"

            /// 32-bit x86.
            [<Literal>]
            let X86 = "x86"

        /// Unique host ID, determined by the first matching source in the priority order.
        [<Literal>]
        let Id = "host.id"

        /// Name of the host: what the hostname command returns, the fully qualified hostname, or a name the user gives.
        [<Literal>]
        let Name = "host.name"

        /// Type of host. For Cloud, this must be the machine type.
        [<Literal>]
        let Type = "host.type"

    /// Experimental attributes of <c>os.*</c>: the operating system (resource attributes).
    [<RequireQualifiedAccess>]
    module Os =
        /// Unique identifier for a particular build or compilation of the operating system.
        [<Literal>]
        let BuildId = "os.build_id"

        /// Human readable (not intended to be parsed) OS version information.
        [<Literal>]
        let Description = "os.description"

        /// Human readable operating system name.
        [<Literal>]
        let Name = "os.name"

        /// The operating system type.
        [<Literal>]
        let Type = "os.type"

        /// The values of <c>os.type</c> the conventions define.
        [<RequireQualifiedAccess>]
        module TypeValues =
            /// AIX (Advanced Interactive eXecutive)
            [<Literal>]
            let Aix = "aix"

            /// Apple Darwin.
            [<Literal>]
            let Darwin = "darwin"

            /// DragonFly BSD.
            [<Literal>]
            let Dragonflybsd = "dragonflybsd"

            /// FreeBSD.
            [<Literal>]
            let Freebsd = "freebsd"

            /// HP-UX (Hewlett Packard UNIX)
            [<Literal>]
            let Hpux = "hpux"

            /// Linux.
            [<Literal>]
            let Linux = "linux"

            /// NetBSD.
            [<Literal>]
            let Netbsd = "netbsd"

            /// OpenBSD.
            [<Literal>]
            let Openbsd = "openbsd"

            /// SunOS, Oracle Solaris.
            [<Literal>]
            let Solaris = "solaris"

            /// Microsoft Windows.
            [<Literal>]
            let Windows = "windows"

            /// IBM z/OS.
            [<Literal>]
            let Zos = "zos"

        /// The version string of the operating system.
        [<Literal>]
        let Version = "os.version"

    /// Experimental attributes of <c>process.*</c>: the process and its runtime (resource attributes).
    [<RequireQualifiedAccess>]
    module Process =
        /// The full command used to launch the process as a single string representing the full command.
        [<Literal>]
        let CommandLine = "process.command_line"

        /// The name of the process executable.
        [<Literal>]
        let ExecutableName = "process.executable.name"

        /// The full path to the process executable.
        [<Literal>]
        let ExecutablePath = "process.executable.path"

        /// The username of the user that owns the process.
        [<Literal>]
        let Owner = "process.owner"

        /// Parent Process identifier (PPID).
        [<Literal>]
        let ParentPid = "process.parent_pid"

        /// Process identifier (PID).
        [<Literal>]
        let Pid = "process.pid"

        /// An additional description about the runtime of the process, for example a specific vendor customization of the runtime environment.
        [<Literal>]
        let RuntimeDescription = "process.runtime.description"

        /// The name of the runtime of this process.
        [<Literal>]
        let RuntimeName = "process.runtime.name"

        /// The version of the runtime of this process, as returned by the runtime without modification.
        [<Literal>]
        let RuntimeVersion = "process.runtime.version"

    /// Experimental attributes of <c>messaging.*</c>: messaging spans and metrics.
    [<RequireQualifiedAccess>]
    module Messaging =
        /// The number of messages sent, received, or processed in the scope of the batching operation.
        [<Literal>]
        let BatchMessageCount = "messaging.batch.message_count"

        /// A unique identifier for the client that consumes or produces a message.
        [<Literal>]
        let ClientId = "messaging.client.id"

        /// The name of the consumer group with which a consumer is associated.
        [<Literal>]
        let ConsumerGroupName = "messaging.consumer.group.name"

        /// The message destination name.
        [<Literal>]
        let DestinationName = "messaging.destination.name"

        /// The identifier of the partition messages are sent to or received from, unique within the <c>messaging.destination.name</c>.
        [<Literal>]
        let DestinationPartitionId = "messaging.destination.partition.id"

        /// The conversation ID identifying the conversation to which the message belongs, represented as a string.
        [<Literal>]
        let MessageConversationId = "messaging.message.conversation_id"

        /// A value used by the messaging system as an identifier for the message, represented as a string.
        [<Literal>]
        let MessageId = "messaging.message.id"

        /// The system-specific name of the messaging operation.
        [<Literal>]
        let OperationName = "messaging.operation.name"

        /// A string identifying the type of the messaging operation.
        [<Literal>]
        let OperationType = "messaging.operation.type"

        /// The values of <c>messaging.operation.type</c> the conventions define.
        [<RequireQualifiedAccess>]
        module OperationTypeValues =
            /// A message is created.
            [<Literal>]
            let Create = "create"

            /// One or more messages are processed by a consumer.
            [<Literal>]
            let Process = "process"

            /// One or more messages are requested by a consumer.
            [<Literal>]
            let Receive = "receive"

            /// One or more messages are provided for sending to an intermediary.
            [<Literal>]
            let Send = "send"

            /// One or more messages are settled.
            [<Literal>]
            let Settle = "settle"

        /// The messaging system as identified by the client instrumentation.
        [<Literal>]
        let SystemName = "messaging.system.name"

        /// The values of <c>messaging.system.name</c> the conventions define.
        [<RequireQualifiedAccess>]
        module SystemNameValues =
            /// Apache ActiveMQ.
            [<Literal>]
            let Activemq = "activemq"

            /// Amazon Simple Notification Service (SNS)
            [<Literal>]
            let AwsSns = "aws.sns"

            /// Amazon Simple Queue Service (SQS)
            [<Literal>]
            let AwsSqs = "aws.sqs"

            /// Azure Event Grid.
            [<Literal>]
            let AzureEventgrid = "azure.eventgrid"

            /// Azure Event Hubs.
            [<Literal>]
            let AzureEventhubs = "azure.eventhubs"

            /// Azure Service Bus.
            [<Literal>]
            let AzureServicebus = "azure.servicebus"

            /// Google Cloud Pub/Sub.
            [<Literal>]
            let GcpPubsub = "gcp.pubsub"

            /// Java Message Service.
            [<Literal>]
            let Jms = "jms"

            /// Apache Kafka.
            [<Literal>]
            let Kafka = "kafka"

            /// Apache Pulsar.
            [<Literal>]
            let Pulsar = "pulsar"

            /// RabbitMQ.
            [<Literal>]
            let Rabbitmq = "rabbitmq"

            /// Apache RocketMQ.
            [<Literal>]
            let Rocketmq = "rocketmq"
