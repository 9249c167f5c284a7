using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Infrastructure.RateLimiting;

/// <summary>
/// The tiers of contract §5 as named rate-limiter policies, attached to YARP routes by <c>RateLimiterPolicy</c>:
/// <c>auth</c> and <c>public</c> count per client IP, <c>api</c> per validated user (<c>sub</c>) or, without
/// one, per IP.
/// </summary>
public static class RateLimitingSetup
{
    public const string Auth = "auth";
    public const string Api = "api";
    public const string Public = "public";

    public static readonly Dictionary<string, RateLimitTierOptions> Defaults = new()
    {
        [Auth] = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(1) },
        [Api] = new() { PermitLimit = 100, Window = TimeSpan.FromMinutes(1) },
        [Public] = new() { PermitLimit = 300, Window = TimeSpan.FromMinutes(1) },
    };

    public static IServiceCollection AddEdgeRateLimiting(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ILeaseStore, LeaseStore>();
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(Auth, context => Partition(context, Auth, $"ip:{ClientAddress(context)}"));
            options.AddPolicy(Public, context => Partition(context, Public, $"ip:{ClientAddress(context)}"));
            options.AddPolicy(Api, context => Partition(context, Api,
                context.User.Identity?.IsAuthenticated == true && context.User.FindFirst("sub")?.Value is { } sub
                    ? $"user:{sub}"
                    : $"ip:{ClientAddress(context)}"));
            options.OnRejected = WriteTooManyRequests;
        });
        return services;
    }

    /// <summary>The connection's peer, already replaced by X-Forwarded-For only when the peer is a trusted proxy.</summary>
    public static string ClientAddress(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress ?? IPAddress.None;
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    private static RateLimitPartition<string> Partition(HttpContext context, string tier, string key)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var limits = options.RateLimits.TryGetValue(tier, out var configured) ? configured : Defaults[tier];
        return RateLimitPartition.Get($"{tier}|{key}", _ => new LeasedWindowLimiter(tier, key, limits,
            services.GetRequiredService<ILeaseStore>(), services.GetRequiredService<IHttpContextAccessor>(), services.GetRequiredService<TimeProvider>()));
    }

    private static async ValueTask WriteTooManyRequests(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        context.Response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await ServiceDefaults.Input.ProblemResponses.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Rate limit exceeded; retry later.");
    }
}
