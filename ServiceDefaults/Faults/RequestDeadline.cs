using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using ServiceDefaults.Input;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// One deadline per request, the same in every service and the gateway: configuration key
/// <see cref="ConfigurationKey"/> (a TimeSpan, default <see cref="Default"/>). When it passes, the request's
/// token is cancelled (ASP.NET Core request timeouts) and the answer is 503 + <c>Retry-After</c>. Everything a
/// request waits on is sized to fit inside it: PostgreSQL's connect/command timeouts (DatabaseDefaults), the
/// HttpClients' resilience handler (<see cref="FitInside"/>), Redis's 250–500 ms bounds.
/// </summary>
public static partial class RequestDeadline
{
    public const string ConfigurationKey = "RequestDeadline";
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(5);

    public static TimeSpan Of(IConfiguration configuration) =>
        configuration.GetValue(ConfigurationKey, Default) is var deadline && deadline > TimeSpan.Zero ? deadline : Default;

    internal static IServiceCollection AddRequestDeadline(this IServiceCollection services, TimeSpan deadline) =>
        services.AddRequestTimeouts(options => options.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = deadline,
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
            WriteTimeoutResponse = WritePassedAsync,
        });

    /// <summary>
    /// An HttpClient call must end before the request that makes it: the whole call (retries included) gets
    /// 80 % of the deadline, one attempt 40 %, so that one retry fits.
    /// </summary>
    public static void FitInside(HttpStandardResilienceOptions options, TimeSpan deadline)
    {
        options.TotalRequestTimeout.Timeout = deadline * 0.8;
        options.AttemptTimeout.Timeout = deadline * 0.4;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(options.CircuitBreaker.SamplingDuration.Ticks, 2 * options.AttemptTimeout.Timeout.Ticks));
    }

    private static async Task WritePassedAsync(HttpContext context)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RequestDeadline).FullName!);
        LogPassed(logger, context.Request.Method, context.Request.Path.Value ?? "/");
        await ProblemResponses.WriteUnavailableAsync(context);
    }

    [LoggerMessage(EventId = 1101, EventName = "RequestDeadlinePassed", Level = LogLevel.Warning,
        Message = "Request deadline passed: {Method} {Path} answered 503 (a dependency did not answer in time)")]
    private static partial void LogPassed(ILogger logger, string method, string path);
}
