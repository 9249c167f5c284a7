namespace RealtimeService.Domain;

/// <summary>WebSocket close codes of contract §4; the 4xxx ones mirror the HTTP status they stand for.</summary>
public static class CloseCodes
{
    public const int GoingAway = 1001;
    public const int UnsupportedData = 1003;
    public const int MessageTooBig = 1009;

    /// <summary>RFC 6455's registry: "Try Again Later" — the token could not be checked (its keys were unreachable).</summary>
    public const int TryAgainLater = 1013;
    public const int Unauthorized = 4401;
    public const int IdleTimeout = 4408;
    public const int Superseded = 4409;
}
