using System.Diagnostics;
using IdentityService.Application;
using IdentityService.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityService.Infrastructure;

/// <summary>
/// Delivers pending outbox messages. Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so replicas and the
/// immediate attempt after registration never send the same row at the same time; the receiver is
/// idempotent anyway, which covers a crash between sending and marking. What an attempt means for the row
/// (delivered, retry later, dead-lettered) is <see cref="OutboxMessage.RecordAttempt"/>'s decision.
/// </summary>
public sealed partial class OutboxDelivery(
    IdentityDbContext db,
    UserProvisioningClient users,
    IOptions<OutboxOptions> options,
    OutboxStatus status,
    TimeProvider clock,
    ILogger<OutboxDelivery> logger) : IOutbox
{
    /// <summary>The service's own traces (named after it, so ServiceDefaults exports them).</summary>
    private static readonly ActivitySource ActivitySource = new(typeof(OutboxDelivery).Assembly.GetName().Name!);

    /// <summary>
    /// The immediate attempt after registration gets at most this much of the request's deadline; a slower
    /// user service leaves the message to the dispatcher.
    /// </summary>
    public static readonly TimeSpan ImmediateAttemptBudget = TimeSpan.FromSeconds(2);

    /// <summary>One attempt for one message, right away, within <see cref="ImmediateAttemptBudget"/>; failures are left to the dispatcher.</summary>
    public async Task TryDeliverNowAsync(Guid messageId, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(ImmediateAttemptBudget);
        try
        {
            await DeliverAsync(messageId, budget.Token);
        }
        catch (Exception e)
        {
            // The account is already committed: whatever went wrong here (the request's deadline included),
            // registration succeeded and answers 201; the dispatcher delivers the message.
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
        var policy = settings.RetryPolicy;
        var deadLettered = new List<OutboxMessage>();
        var delivered = 0;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var now = clock.GetUtcNow();
            var batch = onlyMessageId is { } id
                ? await db.Outbox.FromSql($"SELECT * FROM outbox_messages WHERE id = {id} AND delivered_at IS NULL AND dead_lettered_at IS NULL FOR UPDATE SKIP LOCKED").ToListAsync(cancellationToken)
                : await db.Outbox.FromSql($"SELECT * FROM outbox_messages WHERE delivered_at IS NULL AND dead_lettered_at IS NULL AND next_attempt_at <= {now} ORDER BY next_attempt_at LIMIT {settings.BatchSize} FOR UPDATE SKIP LOCKED").ToListAsync(cancellationToken);
            using var activity = batch.Count > 0 && Activity.Current is null ? ActivitySource.StartActivity("outbox deliver") : null;
            activity?.SetTag("messaging.batch.message_count", batch.Count);

            foreach (var message in batch)
            {
                var outcome = message.Type == OutboxMessageTypes.ProvisionUserProfile
                    ? await users.ProvisionAsync(message.Payload, TimeSpan.FromMilliseconds(settings.DeliveryTimeoutMilliseconds), cancellationToken)
                    : DeliveryOutcome.Refused($"unknown message type {message.Type}");

                switch (message.RecordAttempt(outcome, clock.GetUtcNow(), policy))
                {
                    case OutboxAttemptResult.Delivered:
                        delivered++;
                        break;
                    case OutboxAttemptResult.DeadLettered:
                        deadLettered.Add(message);
                        break;
                    default:
                        LogDeliveryFailed(logger, message.Id, message.Attempts, message.LastError ?? "", (message.NextAttemptAt - clock.GetUtcNow()).TotalSeconds);
                        break;
                }
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        // After the commit, so that each dead letter is logged exactly once: its row is never picked again.
        foreach (var message in deadLettered)
        {
            LogDeadLettered(logger, message.Id, message.Type, message.Attempts, message.LastError ?? "");
        }
        return delivered;
    }

    /// <summary>
    /// Reads the outbox's state into <see cref="OutboxStatus"/>: three small queries, each answered from a partial index
    /// (<c>ix_outbox_pending</c>, <c>ix_outbox_dead_letters</c>), so delivered rows never cost a scan.
    /// </summary>
    public async Task RefreshStatusAsync(CancellationToken cancellationToken)
    {
        var pendingMessages = db.Outbox.Where(m => m.DeliveredAt == null && m.DeadLetteredAt == null);
        var pending = await pendingMessages.LongCountAsync(cancellationToken);
        var oldest = await pendingMessages.MinAsync(m => (DateTimeOffset?)m.CreatedAt, cancellationToken);
        var deadLetters = await db.Outbox.LongCountAsync(m => m.DeadLetteredAt != null, cancellationToken);
        status.Update(pending, deadLetters, oldest);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {MessageId} attempt {Attempt} failed ({Error}); next try in {BackoffSeconds} s")]
    private static partial void LogDeliveryFailed(ILogger logger, Guid messageId, int attempt, string error, double backoffSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {MessageId} ({Type}) dead-lettered after {Attempts} attempts: the receiver refused it ({Error}); it stays in outbox_messages with dead_lettered_at set")]
    private static partial void LogDeadLettered(ILogger logger, Guid messageId, string type, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Immediate outbox delivery failed ({Reason}); the dispatcher will retry")]
    private static partial void LogDeliveryError(ILogger logger, string reason);
}
