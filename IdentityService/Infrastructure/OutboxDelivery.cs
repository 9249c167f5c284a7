using System.Diagnostics;
using IdentityService.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityService.Infrastructure;

/// <summary>
/// Delivers pending outbox messages. Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so replicas and the
/// immediate attempt after registration never send the same row at the same time; the receiver is
/// idempotent anyway, which covers a crash between sending and marking.
/// </summary>
public sealed partial class OutboxDelivery(
    IdentityDbContext db,
    UserProvisioningClient users,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxDelivery> logger)
{
    /// <summary>The service's own traces (named after it, so ServiceDefaults exports them).</summary>
    private static readonly ActivitySource ActivitySource = new(typeof(OutboxDelivery).Assembly.GetName().Name!);

    /// <summary>One attempt for one message, right away; failures are left to the dispatcher.</summary>
    public async Task TryDeliverNowAsync(Guid messageId, CancellationToken cancellationToken)
    {
        try
        {
            await DeliverAsync(messageId, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The account is already committed: whatever went wrong here, registration succeeded.
            LogDeliveryError(logger, e.GetType().Name);
        }
    }

    /// <summary>Delivers due messages (or only <paramref name="onlyMessageId"/>); returns how many were delivered.</summary>
    /// <remarks>
    /// In the background (no ambient trace) a round that claims messages is traced as <c>outbox deliver</c>; one that
    /// finds nothing makes no trace, since database calls outside a trace are not recorded (ServiceDefaults).
    /// </remarks>
    public async Task<int> DeliverAsync(Guid? onlyMessageId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var batch = onlyMessageId is { } id
            ? await db.Outbox.FromSql($"SELECT * FROM outbox_messages WHERE id = {id} AND delivered_at IS NULL FOR UPDATE SKIP LOCKED").ToListAsync(cancellationToken)
            : await db.Outbox.FromSql($"SELECT * FROM outbox_messages WHERE delivered_at IS NULL AND next_attempt_at <= {now} ORDER BY next_attempt_at LIMIT {settings.BatchSize} FOR UPDATE SKIP LOCKED").ToListAsync(cancellationToken);
        if (batch.Count == 0)
        {
            return 0; // disposing the transaction rolls it back: nothing was changed
        }
        using var activity = Activity.Current is null ? ActivitySource.StartActivity("outbox deliver") : null;
        activity?.SetTag("messaging.batch.message_count", batch.Count);

        var delivered = 0;
        foreach (var message in batch)
        {
            var outcome = message.Type == OutboxMessageTypes.ProvisionUserProfile
                ? await users.ProvisionAsync(message.Payload, TimeSpan.FromMilliseconds(settings.DeliveryTimeoutMilliseconds), cancellationToken)
                : DeliveryOutcome.Failed($"unknown message type {message.Type}");

            message.Attempts++;
            if (outcome.IsDelivered)
            {
                message.DeliveredAt = clock.GetUtcNow();
                message.LastError = null;
                delivered++;
            }
            else
            {
                var backoff = Math.Min(settings.MaxRetrySeconds, settings.FirstRetrySeconds * Math.Pow(2, Math.Min(message.Attempts - 1, 16)));
                message.NextAttemptAt = clock.GetUtcNow().AddSeconds(backoff);
                message.LastError = outcome.Error;
                LogDeliveryFailed(logger, message.Id, message.Attempts, outcome.Error ?? "", backoff);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return delivered;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {MessageId} attempt {Attempt} failed ({Error}); next try in {BackoffSeconds} s")]
    private static partial void LogDeliveryFailed(ILogger logger, Guid messageId, int attempt, string error, double backoffSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Immediate outbox delivery failed ({Reason}); the dispatcher will retry")]
    private static partial void LogDeliveryError(ILogger logger, string reason);
}
