using System.Net;
using Gateway.Infrastructure.Edge;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace UnitTests.Gateway;

/// <summary><c>Gateway:TrustedProxies</c> takes addresses and ranges (a Kubernetes ingress controller's pods change address).</summary>
public sealed class TrustedProxiesTests
{
    [Fact]
    public void AnAddressIsTrustedAloneAndARangeAsAWhole()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:TrustedProxies:0"] = "127.1.1.1",
            ["Gateway:TrustedProxies:1"] = "10.244.0.0/16",
        });
        builder.AddGatewayEdge();

        var forwarded = builder.Services.BuildServiceProvider().GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;

        Assert.Equal([IPAddress.Parse("127.1.1.1")], forwarded.KnownProxies);
        var range = Assert.Single(forwarded.KnownIPNetworks);
        Assert.True(range.Contains(IPAddress.Parse("10.244.7.9")));
        Assert.False(range.Contains(IPAddress.Parse("10.245.0.1")));
    }
}
