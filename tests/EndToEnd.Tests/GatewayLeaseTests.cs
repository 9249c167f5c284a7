using System.Net;

namespace EndToEnd.Tests;

/// <summary>
/// The rate-limit ceiling holds exactly across both gateway replicas while each spends permits it leased from
/// the shared sliding-window log: many concurrent clients of one user, through both replicas, never get more
/// than the limit of 200s.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class GatewayLeaseTests(DistributedAppFixture fixture)
{
    private const int ApiLimit = 100;

    [Fact]
    public async Task ConcurrentClientsOnBothReplicasNeverGetMoreThanTheLimit()
    {
        var account = await Accounts.CreateAsync(fixture.Gateway);
        var clients = Enumerable.Range(0, 12)
            .Select(i => fixture.GatewayReplica(i % 2, GatewayClients.UniqueLoopbackAddress()))
            .ToList();

        var statuses = await Task.WhenAll(clients.Select(async client =>
        {
            var seen = new List<HttpResponseMessage>();
            for (var i = 0; i < 20; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/me").WithBearer(account.AccessToken);
                seen.Add(await client.SendAsync(request));
            }
            return seen;
        }));
        clients.ForEach(client => client.Dispose());

        var answers = statuses.SelectMany(s => s).ToList();
        var ok = answers.Count(a => a.StatusCode == HttpStatusCode.OK);
        Assert.InRange(ok, 1, ApiLimit);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(240 - ok, refused.Count);
        Assert.All(refused, a =>
        {
            Assert.InRange(int.Parse(a.Headers.GetValues("Retry-After").Single()), 1, 61);
            Assert.Matches("^\"api\";r=0;t=\\d+$", a.Headers.GetValues("RateLimit").Single());
        });
    }
}
