using System.Collections.Concurrent;
using System.IO.Compression;
using EndToEnd.Tests.Telemetry.Otlp;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EndToEnd.Tests.Telemetry;

/// <summary>
/// An OTLP/HTTP (protobuf) collector the test owns: Kestrel on a free loopback port taking
/// <c>POST /v1/traces</c>, <c>/v1/metrics</c> and <c>/v1/logs</c>, decoding them with the types generated from
/// <c>otlp.proto</c> and keeping everything it was sent — the decoded requests, and the raw payloads so that a
/// search for a secret sees every byte the services exported, whatever field it sits in.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<byte[]> _payloads = new();
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<ReceivedMetric> _metrics = new();
    private readonly ConcurrentQueue<ReceivedLog> _logs = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans;

    public IReadOnlyCollection<ReceivedMetric> Metrics => _metrics;

    public IReadOnlyCollection<ReceivedLog> Logs => _logs;

    /// <summary>Every string value received, with where it was (for a failure message that points at the leak).</summary>
    public IEnumerable<(string Where, string Value)> Strings() =>
        _spans.SelectMany(span => span.Span.Attributes.Concat(span.Span.Events.SelectMany(e => e.Attributes))
                .Select(attribute => ($"span {span} attribute {attribute.Key}", attribute.Value?.ToDisplayString() ?? ""))
                .Append(($"span {span} name", span.Span.Name)))
            .Concat(_logs.SelectMany(log => log.Record.Attributes
                .Select(attribute => ($"log of {log.Service} attribute {attribute.Key}", attribute.Value?.ToDisplayString() ?? ""))
                .Append(($"log of {log.Service} body", log.Record.Body?.ToDisplayString() ?? ""))))
            .Concat(_metrics.SelectMany(metric => metric.DataPointAttributes.SelectMany(attributes => attributes)
                .Select(attribute => ($"metric {metric.Metric.Name} of {metric.Service} dimension {attribute.Key}", attribute.Value))));

    /// <summary>Every OTLP request body received so far (decompressed).</summary>
    public IReadOnlyCollection<byte[]> Payloads => _payloads;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new OtlpReceiver(builder.Build());
        receiver.Map();
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        receiver.Endpoint = new Uri(address);
        return receiver;
    }

    private void Map()
    {
        _app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            var export = ExportTraceServiceRequest.Parser.ParseFrom(await ReadAsync(request));
            foreach (var resource in export.ResourceSpans)
            {
                var service = ServiceName(resource.Resource);
                foreach (var span in resource.ScopeSpans.SelectMany(scope => scope.Spans.Select(span => (scope.Scope, span))))
                {
                    _spans.Enqueue(new ReceivedSpan(service, span.Scope?.Name ?? "", span.span));
                }
            }
            return Ok();
        });
        _app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            var export = ExportMetricsServiceRequest.Parser.ParseFrom(await ReadAsync(request));
            foreach (var resource in export.ResourceMetrics)
            {
                var service = ServiceName(resource.Resource);
                foreach (var scope in resource.ScopeMetrics)
                {
                    foreach (var metric in scope.Metrics)
                    {
                        _metrics.Enqueue(new ReceivedMetric(service, scope.Scope?.Name ?? "", metric));
                    }
                }
            }
            return Ok();
        });
        _app.MapPost("/v1/logs", async (HttpRequest request) =>
        {
            var export = ExportLogsServiceRequest.Parser.ParseFrom(await ReadAsync(request));
            foreach (var resource in export.ResourceLogs)
            {
                var service = ServiceName(resource.Resource);
                foreach (var record in resource.ScopeLogs.SelectMany(scope => scope.LogRecords))
                {
                    _logs.Enqueue(new ReceivedLog(service, record));
                }
            }
            return Ok();
        });
    }

    // An empty Export*ServiceResponse: full success.
    private static IResult Ok() => Results.Bytes([], "application/x-protobuf");

    private async Task<byte[]> ReadAsync(HttpRequest request)
    {
        Stream body = request.Body;
        if (string.Equals(request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            body = new GZipStream(body, CompressionMode.Decompress);
        }
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        _payloads.Enqueue(bytes);
        return bytes;
    }

    private static string ServiceName(Resource? resource) =>
        resource?.Attributes.FirstOrDefault(attribute => attribute.Key == "service.name")?.Value?.StringValue ?? "";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A span as received, with the <c>service.name</c> of the resource that sent it.</summary>
public sealed record ReceivedSpan(string Service, string Scope, Span Span)
{
    public string TraceId => Convert.ToHexStringLower(Span.TraceId.ToByteArray());

    public string SpanId => Convert.ToHexStringLower(Span.SpanId.ToByteArray());

    public string ParentSpanId => Convert.ToHexStringLower(Span.ParentSpanId.ToByteArray());

    public string? Attribute(string key) => Span.Attributes.FirstOrDefault(attribute => attribute.Key == key)?.Value?.ToDisplayString();

    public override string ToString() => $"{Service} [{Scope}] {Span.Name}";
}

public sealed record ReceivedMetric(string Service, string Scope, Metric Metric)
{
    /// <summary>The attribute sets of every data point, whatever the metric's kind.</summary>
    public IEnumerable<IReadOnlyDictionary<string, string>> DataPointAttributes => Metric.DataCase switch
    {
        Metric.DataOneofCase.Sum => Metric.Sum.DataPoints.Select(point => Attributes(point.Attributes)),
        Metric.DataOneofCase.Gauge => Metric.Gauge.DataPoints.Select(point => Attributes(point.Attributes)),
        Metric.DataOneofCase.Histogram => Metric.Histogram.DataPoints.Select(point => Attributes(point.Attributes)),
        Metric.DataOneofCase.ExponentialHistogram => Metric.ExponentialHistogram.DataPoints.Select(point => Attributes(point.Attributes)),
        _ => [],
    };

    private static IReadOnlyDictionary<string, string> Attributes(IEnumerable<KeyValue> attributes) =>
        attributes.ToDictionary(attribute => attribute.Key, attribute => attribute.Value?.ToDisplayString() ?? "");
}

public sealed record ReceivedLog(string Service, LogRecord Record);

public static class AnyValueExtensions
{
    public static string ToDisplayString(this AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
