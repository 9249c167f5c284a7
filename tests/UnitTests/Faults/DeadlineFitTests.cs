using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace UnitTests.Faults;

/// <summary>Every wait a request can make is sized to end inside the one request deadline.</summary>
public sealed class DeadlineFitTests
{
    [Theory]
    [InlineData(null, 5)]
    [InlineData("00:00:08", 8)]
    [InlineData("00:00:00", 5)]
    [InlineData("-00:00:01", 5)]
    public void TheDeadlineIsOneSettingWithADefaultOfFiveSeconds(string? configured, int seconds)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(configured is null ? [] : [new(RequestDeadline.ConfigurationKey, configured)])
            .Build();
        Assert.Equal(TimeSpan.FromSeconds(seconds), RequestDeadline.Of(configuration));
    }

    [Theory]
    [InlineData(5, 1, 2)]
    [InlineData(10, 2, 4)]
    [InlineData(1, 1, 1)]
    public void PostgresConnectAndCommandTimeoutsFitInsideTheDeadline(int deadlineSeconds, int connect, int command)
    {
        var fitted = new NpgsqlConnectionStringBuilder(ServiceDatabase.FitInside(
            "Host=127.0.0.1;Port=5432;Username=postgres;Password=secret;Database=usersdb", TimeSpan.FromSeconds(deadlineSeconds)));

        Assert.Equal(connect, fitted.Timeout);
        Assert.Equal(command, fitted.CommandTimeout);
        Assert.Equal(-1, fitted.CancellationTimeout);
        Assert.Equal("usersdb", fitted.Database);
        Assert.Equal("secret", fitted.Password);
        if (deadlineSeconds > 1)
        {
            // A command that times out, and its cancel request (two connect timeouts against a frozen server), end
            // before the deadline.
            Assert.True(command + 2 * connect < deadlineSeconds);
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(2)]
    public void TheHttpClientResilienceHandlerFitsInsideTheDeadlineAndPassesItsOwnValidation(int deadlineSeconds)
    {
        var deadline = TimeSpan.FromSeconds(deadlineSeconds);
        var services = new ServiceCollection();
        services.AddHttpClient("provisioning").AddStandardResilienceHandler(options => RequestDeadline.FitInside(options, deadline));
        using var provider = services.BuildServiceProvider();

        // The library validates its options (attempt < total, sampling ≥ 2 × attempt) when the client is built.
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("provisioning");
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.Extensions.Http.Resilience.HttpStandardResilienceOptions>>()
            .Get("provisioning-standard");
        Assert.True(options.TotalRequestTimeout.Timeout < deadline);
        Assert.True(options.AttemptTimeout.Timeout < options.TotalRequestTimeout.Timeout);
    }
}
