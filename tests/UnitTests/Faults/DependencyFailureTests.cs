using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace UnitTests.Faults;

/// <summary>Which failures are "a dependency is away" (503 + Retry-After) and which are bugs (500).</summary>
public sealed class DependencyFailureTests
{
    public static TheoryData<Exception, string> Unavailable => new()
    {
        { new DependencyUnavailableException("PostgreSQL (usersdb)", new TimeoutException()), "PostgreSQL (usersdb)" },
        { new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)), "the database" },
        { new NpgsqlException("Exception while reading from stream", new TimeoutException()), "the database" },
        // EF Core wraps what Npgsql throws during SaveChanges.
        { new DbUpdateException("An error occurred", new NpgsqlException("Exception while reading from stream", new EndOfStreamException())), "the database" },
        { new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown), "the database" },
        { new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No connection"), "Redis" },
        { new BrokenCircuitException(), "a dependency behind an open circuit breaker" },
        { new HttpRequestException("x", new TimeoutException()), "a dependency that did not answer in time" },
        // The HttpClient standard resilience handler's total or attempt timeout.
        { new Polly.Timeout.TimeoutRejectedException(), "a dependency that did not answer in time" },
        { new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"), "another service" },
    };

    [Theory]
    [MemberData(nameof(Unavailable))]
    public void AnUnreachableOrSlowDependencyIsNamed(Exception exception, string dependency)
    {
        Assert.Equal(dependency, DependencyFailure.UnavailableDependency(exception));
        Assert.True(DependencyFailure.IsUnavailable(exception));
    }

    public static TheoryData<Exception> Bugs => new()
    {
        new InvalidOperationException("Sequence contains more than one element"),
        new DbUpdateException("duplicate", new PostgresException("duplicate key value", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation)),
        new PostgresException("syntax error", "ERROR", "ERROR", PostgresErrorCodes.SyntaxError),
        new NullReferenceException(),
        // Another service answered, with an error: its status says what happened, not an outage of ours.
        new HttpRequestException("Response status code does not indicate success: 400", null, System.Net.HttpStatusCode.BadRequest),
    };

    [Theory]
    [MemberData(nameof(Bugs))]
    public void AFailureThatRetryingCannotFixIsNotADependencyOutage(Exception exception)
    {
        Assert.Null(DependencyFailure.UnavailableDependency(exception));
        Assert.False(DependencyFailure.IsUnavailable(exception));
    }

    [Fact]
    public void TheCallerGivingUpIsNotCountedAgainstTheDependency()
    {
        // A deadline's cancellation must not open a breaker: the deadline answers it, not the breaker.
        var cancelled = new OperationCanceledException("cancelled", new TimeoutException());
        Assert.False(DependencyFailure.IsUnavailable(cancelled));
    }

    [Fact]
    public void RetryAfterIsWholeSeconds()
    {
        Assert.Matches("^[1-9][0-9]*$", DependencyFailure.RetryAfterHeaderValue);
    }
}
