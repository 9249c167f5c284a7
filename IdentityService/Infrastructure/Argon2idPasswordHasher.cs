using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using IdentityService.Application;
using IdentityService.Domain;
using Konscious.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace IdentityService.Infrastructure;

/// <summary>
/// Argon2id through Konscious.Security.Cryptography (chosen by measurement, see README.md), behind a
/// <see cref="ConcurrencyLimiter"/>: at most <see cref="PasswordHashingOptions.EffectiveConcurrency"/> hashes
/// run at once and a short queue waits; anything more is refused at once instead of piling up 64 MiB each.
/// </summary>
public sealed class Argon2idPasswordHasher : IPasswordHasher, IDisposable
{
    private readonly PasswordHashingOptions _options;
    private readonly ConcurrencyLimiter _limiter;
    private readonly string _dummyHash;

    private readonly IdentityMetrics _metrics;

    public Argon2idPasswordHasher(IOptions<PasswordHashingOptions> options, IdentityMetrics metrics)
    {
        _options = options.Value;
        _metrics = metrics;
        CurrentParameters = new Argon2Parameters(_options.MemoryKib, _options.Iterations, _options.Parallelism);
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = _options.EffectiveConcurrency,
            QueueLimit = Math.Max(0, _options.QueueLimit),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        metrics.ObserveHashQueue(() => _limiter.GetStatistics()?.CurrentQueuedCount ?? 0);
        // Verified against when the email is unknown, so that such a login costs exactly what a wrong password costs.
        _dummyHash = Compute(RandomNumberGenerator.GetHexString(32), RandomNumberGenerator.GetBytes(_options.SaltBytes), CurrentParameters, _options.HashBytes).ToString();
    }

    public Argon2Parameters CurrentParameters { get; }

    public async Task<string> HashAsync(string password, CancellationToken cancellationToken)
    {
        using var lease = await AcquireAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var hash = Compute(password, RandomNumberGenerator.GetBytes(_options.SaltBytes), CurrentParameters, _options.HashBytes).ToString();
        _metrics.Hashed("hash", Stopwatch.GetElapsedTime(started));
        return hash;
    }

    /// <summary>An unknown account (<paramref name="storedHash"/> null) is verified against a dummy hash of the current parameters.</summary>
    public async Task<PasswordCheck> VerifyAsync(string password, string? storedHash, CancellationToken cancellationToken)
    {
        var known = storedHash is not null && PhcString.TryParse(storedHash, out _);
        PhcString.TryParse(known ? storedHash! : _dummyHash, out var stored);

        using var lease = await AcquireAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var computed = Compute(password, stored.Salt, stored.Parameters, stored.Hash.Length);
        _metrics.Hashed("verify", Stopwatch.GetElapsedTime(started));
        var matches = CryptographicOperations.FixedTimeEquals(computed.Hash, stored.Hash) && known;
        return new PasswordCheck(matches, matches && stored.Parameters != CurrentParameters);
    }

    public void Dispose() => _limiter.Dispose();

    private async Task<RateLimitLease> AcquireAsync(CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            _metrics.HashRejected();
            throw new PasswordHashingBusyException(_options.RetryAfterSeconds);
        }
        return lease;
    }

    private static PhcString Compute(string password, byte[] salt, Argon2Parameters parameters, int hashBytes)
    {
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            using var argon2 = new Argon2id(passwordBytes)
            {
                Salt = salt,
                MemorySize = parameters.MemoryKib,
                Iterations = parameters.Iterations,
                DegreeOfParallelism = parameters.Parallelism,
            };
            return new PhcString(parameters, salt, argon2.GetBytes(hashBytes));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }
}
