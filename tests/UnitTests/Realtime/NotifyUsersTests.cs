using System.Text.Json.Nodes;
using RealtimeService.Application;

namespace UnitTests.Realtime;

/// <summary>NotifyUsers against a recording event publisher.</summary>
public sealed class NotifyUsersTests
{
    private sealed class RecordingPublisher : IEventPublisher
    {
        public List<(Guid? UserId, JsonObject Message)> Published { get; } = [];

        public Task PublishAsync(Guid? userId, JsonObject message, CancellationToken cancellationToken)
        {
            Published.Add((userId, message));
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task ANotificationForOneUserIsPublishedForThatUser()
    {
        var publisher = new RecordingPublisher();
        var user = Guid.NewGuid();

        await new NotifyUsers(publisher).ExecuteAsync(user, "Hello", "World", default);

        var (target, message) = Assert.Single(publisher.Published);
        Assert.Equal(user, target);
        Assert.Equal("""{"type":"notification","title":"Hello","body":"World"}""", message.ToJsonString());
    }

    [Fact]
    public async Task ANotificationWithoutAUserIsABroadcast()
    {
        var publisher = new RecordingPublisher();

        await new NotifyUsers(publisher).ExecuteAsync(null, "All", "of you", default);

        Assert.Null(Assert.Single(publisher.Published).UserId);
    }
}
