using IdentityService.Domain;

namespace UnitTests.Identity;

/// <summary>What one delivery attempt does to an outbox row: delivered, retried with backoff, or dead-lettered.</summary>
public sealed class OutboxPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly OutboxRetryPolicy Policy = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), MaxRefusedAttempts: 3);

    private static OutboxMessage Message(int attempts = 0) =>
        new() { Id = Guid.NewGuid(), Type = OutboxMessageTypes.ProvisionUserProfile, Payload = "{}", Attempts = attempts, NextAttemptAt = Now };

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(415)]
    [InlineData(422)]
    public void A4xxIsARefusal(int status) => Assert.Equal(DeliveryOutcomeKind.Refused, DeliveryOutcome.FromStatus(status).Kind);

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(302)]
    public void TimeoutsRateLimitsAnd5xxMeanLater(int status) => Assert.Equal(DeliveryOutcomeKind.Unavailable, DeliveryOutcome.FromStatus(status).Kind);

    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    public void CreatedOrAlreadyThereIsDelivered(int status) => Assert.True(DeliveryOutcome.FromStatus(status).IsDelivered);

    [Fact]
    public void ARefusedMessageIsRetriedUntilTheLimitThenDeadLetteredWithItsError()
    {
        var message = Message();

        Assert.Equal(OutboxAttemptResult.WillRetry, message.RecordAttempt(DeliveryOutcome.FromStatus(422), Now, Policy));
        Assert.Equal(OutboxAttemptResult.WillRetry, message.RecordAttempt(DeliveryOutcome.FromStatus(422), Now, Policy));
        Assert.Null(message.DeadLetteredAt);
        var later = Now.AddMinutes(5);
        Assert.Equal(OutboxAttemptResult.DeadLettered, message.RecordAttempt(DeliveryOutcome.FromStatus(422), later, Policy));

        Assert.Equal(later, message.DeadLetteredAt);
        Assert.Equal("HTTP 422", message.LastError);
        Assert.Equal(3, message.Attempts);
        Assert.Null(message.DeliveredAt);
    }

    [Fact]
    public void AnUnavailableReceiverIsRetriedForEverWithBoundedBackoff()
    {
        var message = Message();
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(OutboxAttemptResult.WillRetry, message.RecordAttempt(DeliveryOutcome.FromStatus(503), Now, Policy));
            waits.Add(message.NextAttemptAt - Now);
        }

        Assert.Null(message.DeadLetteredAt);
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], waits.Take(8).Select(w => w.TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(60), waits[^1]);
        Assert.Equal("HTTP 503", message.LastError);
    }

    [Fact]
    public void ARowStuckWithManyAttemptsIsDeadLetteredByItsNextRefusal()
    {
        var message = Message(attempts: 4_000);

        Assert.Equal(OutboxAttemptResult.DeadLettered, message.RecordAttempt(DeliveryOutcome.FromStatus(422), Now, Policy));
        Assert.Equal(Now, message.DeadLetteredAt);
    }

    [Fact]
    public void ARowStuckWithManyAttemptsStillWaitsForAnUnavailableReceiver()
    {
        var message = Message(attempts: 4_000);

        Assert.Equal(OutboxAttemptResult.WillRetry, message.RecordAttempt(DeliveryOutcome.Unavailable("no answer within 5000 ms"), Now, Policy));
        Assert.Null(message.DeadLetteredAt);
    }

    [Fact]
    public void DeliveryAfterFailuresClearsTheError()
    {
        var message = Message();
        message.RecordAttempt(DeliveryOutcome.FromStatus(422), Now, Policy);

        Assert.Equal(OutboxAttemptResult.Delivered, message.RecordAttempt(DeliveryOutcome.Delivered, Now, Policy));
        Assert.Equal(Now, message.DeliveredAt);
        Assert.Null(message.LastError);
        Assert.Null(message.DeadLetteredAt);
    }
}
