using System.Text.Json.Nodes;

namespace RealtimeService.Application;

/// <summary>Use case behind <c>POST /internal/notify</c>: a notification for one user, or for everyone.</summary>
public sealed class NotifyUsers(IEventPublisher publisher)
{
    public Task ExecuteAsync(Guid? userId, string title, string body, CancellationToken cancellationToken) =>
        publisher.PublishAsync(userId, new JsonObject
        {
            ["type"] = "notification",
            ["title"] = title,
            ["body"] = body,
        }, cancellationToken);
}
