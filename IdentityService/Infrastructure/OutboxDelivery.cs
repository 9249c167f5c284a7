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

    /// <summary>
    /// One attempt for one message, right away, within <see cref="ImmediateAttemptBudget"/>. A delivery of the same
    /// message in progress elsewhere (the dispatcher) is waited for, not skipped, so the answer is where it stands.
    /// Failures are left to the dispatcher.
    /// </summary>
    public async Task<DeliveryState> DeliverNowAsync(Guid messageId, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(ImmediateAttemptBudget);
        try
        {
            return await DeliverAsync(messageId, budget.Token) > 0 ? DeliveryState.Delivered : await StateAsync(messageId, budget.Token);
        }
        catch (Exception e)
        {
            // The account is already committed; whatever went wrong here (the request's deadline included), the
            // dispatcher delivers the message and a repeated registration reports it.
            LogDeliveryError(logger, e.GetType().Name);
            return DeliveryState.Pending;
        }
    }

    private async Task<DeliveryState> StateAsync(Guid messageId, CancellationToken cancellationToken)
    {
        var row = await db.Outbox.AsNoTracking().Where(m => m.Id == messageId)
            .Select(m => new { m.DeliveredAt, m.DeadLetteredAt }).FirstOrDefaultAsync(cancellationToken);
        return row is null || row.DeadLetteredAt is not null ? DeliveryState.Never
            : row.DeliveredAt is not null ? DeliveryState.Delivered
            : DeliveryState.Pending;
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
                // Waits (FOR UPDATE, not SKIP LOCKED) for a dispatcher holding this row; PostgreSQL then re-checks the
                // condition, so a message it delivered meanwhile is not sent twice.
                ? await db.Outbox.FromSql($"SELECT * FROM outbox_messages WHERE id = {id} AND delivered_at IS NULL AND dead_lettered_at IS NULL FOR UPDATE").ToListAsync(cancellationToken)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Immediate outbox delivery failed ({Reason}); registration answers 503 and the dispatcher will retry")]
    private static partial void LogDeliveryError(ILogger logger, string reason);
}
