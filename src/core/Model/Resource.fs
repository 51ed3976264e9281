namespace Functional.Telemetry

type Resource = { Attributes: KeyValue list; SchemaUrl: string }

type InstrumentationScope =
    {
        Name: string
        Version: string
        SchemaUrl: string
        Attributes: KeyValue list
    }

    static member Named(name: string) =
        {
            Name = name
            Version = ""
            SchemaUrl = ""
            Attributes = []
        }
