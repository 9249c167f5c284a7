using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using ServiceDefaults.Input;

namespace Gateway.Infrastructure.Edge;

/// <summary>
/// Reads every request body into memory up to the configured limit, decompressing gzip, deflate (zlib, as HTTP
/// defines it) and br on the way, so that the limit holds on the wire (Kestrel's limit) and after decompression
/// (counted here): a decompression bomb stops at limit + 1 bytes and gets 413, never more memory.
/// The services behind then see a plain body with an exact Content-Length.
/// </summary>
public sealed class RequestBodyMiddleware(RequestDelegate next, IOptions<GatewayOptions> options)
{
    private readonly long _limit = options.Value.MaxRequestBodyBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var hasBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0;
        if (!hasBody || context.WebSockets.IsWebSocketRequest)
        {
            await next(context);
            return;
        }
        if (request.ContentLength > _limit)
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"The body exceeds {_limit} bytes.");
            return;
        }

        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        var body = new MemoryStream();
        try
        {
            var source = Decompress(encoding, request.Body);
            if (source is null)
            {
                await ProblemResponses.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Request bodies may be identity, gzip, deflate or br encoded.");
                return;
            }
            var withinLimit = await CopyWithinLimitAsync(source, body, context.RequestAborted);
            if (source != request.Body)
            {
                await source.DisposeAsync();
            }
            if (!withinLimit)
            {
                await ProblemResponses.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"The body exceeds {_limit} bytes.");
                return;
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"The body exceeds {_limit} bytes.");
            return;
        }
        // gzip/deflate report a corrupt stream as InvalidDataException, Brotli as InvalidOperationException.
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "The body does not match its Content-Encoding.");
            return;
        }

        body.Position = 0;
        ReplaceBody(context, body);
        request.Headers.Remove("Content-Encoding");
        await next(context);
    }

    /// <summary>
    /// Swaps in a body already held in memory. The server's own body-detection answer describes the consumed wire
    /// body, so it is replaced too: YARP asks it whether to forward a body at all.
    /// </summary>
    public static void ReplaceBody(HttpContext context, MemoryStream body)
    {
        context.Request.Body = body;
        context.Request.ContentLength = body.Length;
        context.Request.Headers.Remove("Transfer-Encoding");
        context.Features.Set<IHttpRequestBodyDetectionFeature>(new BufferedBodyDetection(body.Length > 0));
    }

    private sealed class BufferedBodyDetection(bool canHaveBody) : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody { get; } = canHaveBody;
    }

    private static Stream? Decompress(string encoding, Stream body) => encoding switch
    {
        "" or "identity" => body,
        "gzip" or "x-gzip" => new GZipStream(body, CompressionMode.Decompress, leaveOpen: true),
        "deflate" => new ZLibStream(body, CompressionMode.Decompress, leaveOpen: true),
        "br" => new BrotliStream(body, CompressionMode.Decompress, leaveOpen: true),
        _ => null,
    };

    private async Task<bool> CopyWithinLimitAsync(Stream source, MemoryStream target, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (target.Length + read > _limit)
            {
                return false;
            }
            target.Write(buffer, 0, read);
        }
        return true;
    }
}
