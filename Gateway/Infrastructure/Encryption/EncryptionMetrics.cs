using System.Diagnostics.Metrics;

namespace Gateway.Infrastructure.Encryption;

/// <summary>
/// Contract §6 for payload encryption, on the gateway's meter (named after the service, exported by ServiceDefaults):
/// sessions created, and JWEs refused by <see cref="JweRejection"/> reason — a rise in <c>replay</c> or
/// <c>binding</c> is someone replaying or redirecting captured requests, <c>unknown_session</c> clients with expired
/// sessions.
/// </summary>
public sealed class EncryptionMetrics
{
    public const string ReasonAttribute = "gateway.jwe.rejection.reason";

    private readonly Counter<long> _sessionsCreated;
    private readonly Counter<long> _jweRejections;

    public EncryptionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(typeof(EncryptionMetrics).Assembly.GetName().Name!);
        _sessionsCreated = meter.CreateCounter<long>("gateway.encryption.sessions.created", "{session}",
            "Encryption sessions created by the ECDH handshake.");
        _jweRejections = meter.CreateCounter<long>("gateway.encryption.jwe.rejections", "{request}",
            "Requests refused by payload encryption, by reason.");
    }

    public void SessionCreated() => _sessionsCreated.Add(1);

    public void Rejected(string reason) => _jweRejections.Add(1, new KeyValuePair<string, object?>(ReasonAttribute, reason));
}

/// <summary>The bounded set of <see cref="EncryptionMetrics.ReasonAttribute"/> values.</summary>
public static class JweRejection
{
    public const string NotEncrypted = "not_encrypted";
    public const string Malformed = "malformed";
    public const string SessionMismatch = "session_mismatch";
    public const string UnknownSession = "unknown_session";
    public const string Decryption = "decryption";
    public const string Binding = "binding";
    public const string Expired = "iat";
    public const string Replay = "replay";
}
