using IdentityService.Application;
using IdentityService.Domain;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace UnitTests.Identity;

/// <summary>RegisterAccount, Login, RefreshSession and Logout against in-memory fakes of their ports.</summary>
public sealed class IdentityUseCaseTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task RegistrationStoresTheAccountWithItsProvisioningMessageAndTriesItAtOnce()
    {
        var world = new IdentityWorld();

        var result = await world.Register.ExecuteAsync("  Ada@Example.test ", Password, " Ada ", default);

        var account = Assert.IsType<RegistrationResult.Created>(result).Account;
        Assert.Equal("Ada@Example.test", account.Email);
        Assert.Equal("Ada", account.DisplayName);
        Assert.Equal(FakePasswordHasher.HashOf(Password), account.PasswordHash);
        var message = Assert.Single(world.Store.Outbox);
        Assert.Equal(OutboxMessageTypes.ProvisionUserProfile, message.Type);
        Assert.Contains(account.Id.ToString(), message.Payload);
        Assert.Equal([message.Id], world.Outbox.Attempted);
    }

    [Fact]
    public async Task ASecondRegistrationOfTheSameAddressInAnotherCaseWithAnotherPasswordIsRefusedAndWritesNothing()
    {
        var world = new IdentityWorld();
        await world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default);

        var again = await world.Register.ExecuteAsync("ADA@example.test", "another password entirely", "Other", default);

        Assert.IsType<RegistrationResult.EmailTaken>(again);
        Assert.Single(world.Store.Accounts);
        Assert.Single(world.Store.Outbox);
    }

    [Fact]
    public async Task TheMessageCarriesTheAccountsIdAndIsLeftToTheRegisteringRequestBeforeTheDispatcherMayTakeIt()
    {
        var world = new IdentityWorld();

        var account = Assert.IsType<RegistrationResult.Created>(await world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default)).Account;

        var message = Assert.Single(world.Store.Outbox);
        Assert.Equal(account.Id, message.Id);
        Assert.Equal(world.Clock.GetUtcNow() + RegisterAccount.DispatcherGrace, message.NextAttemptAt);
    }

    [Fact]
    public async Task WhenTheProfileCannotBeConfirmedTheAnswerIsPendingNotCreatedButTheAccountIsKept()
    {
        var world = new IdentityWorld();
        world.Outbox.Answer = DeliveryState.Pending;

        var result = await world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default);

        Assert.IsType<RegistrationResult.ProfilePending>(result);
        Assert.Single(world.Store.Accounts);
        Assert.Single(world.Store.Outbox);
    }

    [Fact]
    public async Task RepeatingAPendingRegistrationAnswersCreatedWithTheSameAccountOnceTheProfileIsDelivered()
    {
        var world = new IdentityWorld();
        world.Outbox.Answer = DeliveryState.Pending;
        await world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default);
        var stillPending = await world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default);

        world.Outbox.Answer = DeliveryState.Delivered;
        var repeated = await world.Register.ExecuteAsync(" Ada@Example.test", Password, "Ada", default);

        Assert.IsType<RegistrationResult.ProfilePending>(stillPending);
        var account = Assert.IsType<RegistrationResult.Created>(repeated).Account;
        Assert.Equal(Assert.Single(world.Store.Accounts).Id, account.Id);
        Assert.Single(world.Store.Outbox);
        Assert.Equal([account.Id, account.Id, account.Id], world.Outbox.Attempted);
    }

    [Fact]
    public async Task RepeatingARegistrationWhoseMessageCannotBeFoundIsTheAddressBeingTaken()
    {
        var world = new IdentityWorld();
        await world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default);
        world.Outbox.Answer = DeliveryState.Never; // an account registered before messages carried its id, or a dead letter

        Assert.IsType<RegistrationResult.EmailTaken>(await world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default));
    }

    [Fact]
    public async Task LoginWithTheRightPasswordStartsASession()
    {
        var world = new IdentityWorld();
        await world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default);
        using var logins = LoginsOf(world);

        var tokens = await world.Login.ExecuteAsync("ADA@example.test", Password, default);

        Assert.NotNull(tokens);
        Assert.Equal(world.Store.Accounts[0].Id, tokens.UserId);
        Assert.Equal("Bearer", tokens.TokenType);
        var session = Assert.Single(world.Store.Sessions);
        Assert.Equal(tokens.UserId, session.AccountId);
        Assert.Equal(FakeAccessTokenIssuer.TokenFor(tokens.UserId, session.Id, TimeSpan.FromSeconds(900)), tokens.AccessToken);
        Assert.Equal((900, 2_592_000), (tokens.ExpiresIn, tokens.RefreshExpiresIn));
        Assert.Equal(world.Clock.Now.AddSeconds(2_592_000), Assert.Single(world.Store.RefreshTokens).ExpiresAt);
        Assert.Equal(["success"], Outcomes(logins));
    }

    [Theory]
    [InlineData("ada@example.test", "wrong password!!")]
    [InlineData("nobody@example.test", Password)]
    public async Task LoginWithAWrongPasswordOrUnknownAddressGivesNothingAfterTheSameWork(string email, string password)
    {
        var world = new IdentityWorld();
        await world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default);
        using var logins = LoginsOf(world);

        Assert.Null(await world.Login.ExecuteAsync(email, password, default));

        Assert.Empty(world.Store.Sessions);
        // An unknown address is verified too (against nothing), so it costs what a wrong password costs.
        Assert.Single(world.Hasher.Verified);
        Assert.Equal(["invalid_credentials"], Outcomes(logins));
    }

    [Fact]
    public async Task LoginUpgradesAHashMadeWithOlderParameters()
    {
        var world = new IdentityWorld();
        await world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default);
        world.Store.Accounts[0].PasswordHash = FakePasswordHasher.OlderHashOf(Password);

        Assert.NotNull(await world.Login.ExecuteAsync("ada@example.test", Password, default));

        Assert.Equal(FakePasswordHasher.HashOf(Password), world.Store.Accounts[0].PasswordHash);
    }

    [Fact]
    public async Task AWrongPasswordLeavesAHashOfOlderParametersAsItIs()
    {
        var world = new IdentityWorld();
        await world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default);
        world.Store.Accounts[0].PasswordHash = FakePasswordHasher.OlderHashOf(Password);

        Assert.Null(await world.Login.ExecuteAsync("ada@example.test", "wrong password!!", default));

        Assert.Equal(FakePasswordHasher.OlderHashOf(Password), world.Store.Accounts[0].PasswordHash);
    }

    [Fact]
    public async Task ALoginShedByABusyHasherIsCountedAndStartsNoSession()
    {
        var world = new IdentityWorld();
        await world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default);
        world.Hasher.Busy = true;
        using var logins = LoginsOf(world);

        var busy = await Assert.ThrowsAsync<PasswordHashingBusyException>(() => world.Login.ExecuteAsync("ada@example.test", Password, default));

        Assert.Equal(1, busy.RetryAfterSeconds);
        Assert.Empty(world.Store.Sessions);
        Assert.Equal(["shed"], Outcomes(logins));
    }

    [Fact]
    public async Task ARegistrationRefusedByABusyHasherWritesNothing()
    {
        var world = new IdentityWorld { Hasher = { Busy = true } };

        await Assert.ThrowsAsync<PasswordHashingBusyException>(() => world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default));

        Assert.Empty(world.Store.Accounts);
        Assert.Empty(world.Store.Outbox);
        Assert.Empty(world.Outbox.Attempted);
    }

    [Fact]
    public async Task RefreshRotatesTheTokenAndKeepsTheSession()
    {
        var world = new IdentityWorld();
        var first = await RegisterAndLoginAsync(world);

        var second = await world.Refresh.ExecuteAsync(first.RefreshToken, default);

        Assert.NotNull(second);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.Single(world.Store.Sessions);
        Assert.NotNull(world.Store.RefreshTokens[0].RotatedAt);
        Assert.NotNull(await world.Refresh.ExecuteAsync(second.RefreshToken, default));
    }

    [Fact]
    public async Task ReusingARotatedRefreshTokenRevokesTheWholeSession()
    {
        var world = new IdentityWorld();
        var first = await RegisterAndLoginAsync(world);
        var second = await world.Refresh.ExecuteAsync(first.RefreshToken, default);

        Assert.Null(await world.Refresh.ExecuteAsync(first.RefreshToken, default));

        var session = Assert.Single(world.Store.Sessions);
        Assert.Equal(RevocationReasons.RefreshTokenReuse, session.RevokedReason);
        Assert.Contains(session.Id.ToString(), world.Revocations.Revoked);
        Assert.Null(await world.Refresh.ExecuteAsync(second!.RefreshToken, default));
    }

    [Fact]
    public async Task AnExpiredOrUnknownRefreshTokenGivesNothing()
    {
        var world = new IdentityWorld();
        var tokens = await RegisterAndLoginAsync(world);

        Assert.Null(await world.Refresh.ExecuteAsync("not-a-token", default));
        world.Clock.Advance(world.Lifetimes.RefreshTokenLifetime + TimeSpan.FromSeconds(1));
        Assert.Null(await world.Refresh.ExecuteAsync(tokens.RefreshToken, default));
        Assert.False(world.Store.Sessions[0].IsRevoked);
    }

    [Fact]
    public async Task LogoutRevokesTheSessionAndAnotherSessionOfTheSameAccountNamedByItsRefreshToken()
    {
        var world = new IdentityWorld();
        var current = await RegisterAndLoginAsync(world);
        var other = await world.Login.ExecuteAsync("ada@example.test", Password, default);

        await world.Logout.ExecuteAsync(current.UserId, SessionOf(world, current), other!.RefreshToken, default);

        Assert.All(world.Store.Sessions, s => Assert.Equal(RevocationReasons.Logout, s.RevokedReason));
        Assert.Equal(2, world.Revocations.Revoked.Count);
        Assert.Null(await world.Refresh.ExecuteAsync(current.RefreshToken, default));
    }

    [Fact]
    public async Task LogoutIgnoresAnotherAccountsRefreshToken()
    {
        var world = new IdentityWorld();
        var ada = await RegisterAndLoginAsync(world);
        await world.Register.ExecuteAsync("bob@example.test", Password, "Bob", default);
        var bob = await world.Login.ExecuteAsync("bob@example.test", Password, default);

        await world.Logout.ExecuteAsync(ada.UserId, SessionOf(world, ada), bob!.RefreshToken, default);

        Assert.False(world.Store.Sessions.Single(s => s.AccountId == bob.UserId).IsRevoked);
        Assert.NotNull(await world.Refresh.ExecuteAsync(bob.RefreshToken, default));
    }

    private static async Task<TokenPair> RegisterAndLoginAsync(IdentityWorld world)
    {
        await world.Register.ExecuteAsync("ada@example.test", Password, "Ada", default);
        return (await world.Login.ExecuteAsync("ada@example.test", Password, default))!;
    }

    private static MetricCollector<long> LoginsOf(IdentityWorld world) => new(world.Meters, IdentityMetrics.MeterName, "identity.logins");

    private static IEnumerable<string?> Outcomes(MetricCollector<long> logins) =>
        logins.GetMeasurementSnapshot().Select(login => login.Tags[IdentityMetrics.LoginOutcomeAttribute] as string);

    private static Guid SessionOf(IdentityWorld world, TokenPair tokens) =>
        world.Store.RefreshTokens.Single(t => t.TokenHash.SequenceEqual(SessionTokens.HashRefreshToken(tokens.RefreshToken))).SessionId;
}
