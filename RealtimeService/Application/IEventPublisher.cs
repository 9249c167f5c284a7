using System.Text.Json.Nodes;

namespace RealtimeService.Application;

/// <summary>Raises an event for one user (or, with no user, for everyone) on every replica.</summary>
public interface IEventPublisher
{
    Task PublishAsync(Guid? userId, JsonObject message, CancellationToken cancellationToken);
}
