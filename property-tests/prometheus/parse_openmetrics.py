"""Parses OpenMetrics expositions with prometheus_client's strict parser (Debian python3-prometheus-client).

stdin: a JSON list of exposition strings. stdout: a JSON list, one entry per exposition, either
{"error": "..."} or {"families": [{"name", "type", "unit", "help", "samples": [{"name", "labels", "value",
"exemplar": null | {"labels", "value", "timestamp"}}]}]}. Numbers are written as Python's repr of a float
(so nan, inf and -inf survive JSON).
"""
import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def number(value):
    return None if value is None else repr(float(value))


def timestamp(value):
    if value is None:
        return None
    if hasattr(value, "sec"):
        return "%d.%09d" % (value.sec, value.nsec)
    return repr(float(value))


def family(metric):
    return {
        "name": metric.name,
        "type": metric.type,
        "unit": metric.unit,
        "help": metric.documentation,
        "samples": [
            {
                "name": s.name,
                "labels": s.labels,
                "value": number(s.value),
                "exemplar": None
                if s.exemplar is None
                else {
                    "labels": s.exemplar.labels,
                    "value": number(s.exemplar.value),
                    "timestamp": timestamp(s.exemplar.timestamp),
                },
            }
            for s in metric.samples
        ],
    }


def parse(text):
    try:
        return {"families": [family(m) for m in text_string_to_metric_families(text)]}
    except Exception as error:  # the parser raises ValueError, and KeyError/IndexError on some malformed input
        return {"error": "%s: %s" % (type(error).__name__, error)}


json.dump([parse(text) for text in json.loads(sys.stdin.buffer.read().decode("utf-8"))], sys.stdout)
