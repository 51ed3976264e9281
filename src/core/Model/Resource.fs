namespace Functional.Telemetry

open System
open System.Collections.Generic

type Resource = { Attributes: IReadOnlyList<KeyValue>; SchemaUrl: string }

type InstrumentationScope =
    {
        Name: string
        Version: string
        SchemaUrl: string
        Attributes: IReadOnlyList<KeyValue>
    }

    static member Named(name: string) =
        {
            Name = name
            Version = ""
            SchemaUrl = ""
            Attributes = []
        }
