using System.Text;
using IdentityService.Domain;

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
            return DeliveryOutcome.FromStatus((int)response.StatusCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryOutcome.Unavailable($"no answer within {timeout.TotalMilliseconds:0} ms");
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
        {
            return DeliveryOutcome.Unavailable(e.GetType().Name);
        }
    }
}
