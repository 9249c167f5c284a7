using System.Net;
using System.Text;

namespace IdentityService.Infrastructure;

/// <summary>Internal contract 1: <c>POST http://userservice/internal/users</c>, 201 created or 200 already there.</summary>
public sealed class UserProvisioningClient(HttpClient http)
{
    public const string BaseAddress = "http://userservice";

    /// <summary>One attempt; every failure, a timeout included, is an outcome, not an exception.</summary>
    public async Task<DeliveryOutcome> ProvisionAsync(string payloadJson, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        try
        {
            using var content = new StringContent(payloadJson, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/internal/users", content, attempt.Token);
            return response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK
                ? DeliveryOutcome.Delivered
                : DeliveryOutcome.Failed($"HTTP {(int)response.StatusCode}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryOutcome.Failed($"no answer within {timeout.TotalMilliseconds:0} ms");
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
        {
            return DeliveryOutcome.Failed(e.GetType().Name);
        }
    }
}

public sealed record DeliveryOutcome(bool IsDelivered, string? Error)
{
    public static readonly DeliveryOutcome Delivered = new(true, null);

    public static DeliveryOutcome Failed(string error) => new(false, error);
}
