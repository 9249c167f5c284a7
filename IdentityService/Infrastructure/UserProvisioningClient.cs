using System.Net;
using System.Text;

namespace IdentityService.Infrastructure;

/// <summary>Internal contract 1: <c>POST http://userservice/internal/users</c>, 201 created or 200 already there.</summary>
public sealed class UserProvisioningClient(HttpClient http)
{
    public const string BaseAddress = "http://userservice";

    public async Task<DeliveryOutcome> ProvisionAsync(string payloadJson, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new StringContent(payloadJson, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/internal/users", content, cancellationToken);
            return response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK
                ? DeliveryOutcome.Delivered
                : DeliveryOutcome.Failed($"HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
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
