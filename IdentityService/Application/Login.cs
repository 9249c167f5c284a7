using IdentityService.Domain;

namespace IdentityService.Application;

/// <summary>
/// Login: an unknown email and a wrong password both go through one password verification (see
/// <see cref="IPasswordHasher.VerifyAsync"/>) and give the same null, so neither the answer nor its timing tells
/// whether the account exists.
/// A hash made with older parameters is replaced on success.
/// </summary>
public sealed partial class Login(IAccountRepository accounts, IPasswordHasher hasher, SessionTokens sessions, IdentityMetrics metrics, ILogger<Login> logger)
{
    public async Task<TokenPair?> ExecuteAsync(string email, string password, CancellationToken cancellationToken)
    {
        var account = await accounts.FindByEmailAsync(ServiceDefaults.Text.TextRules.NormalizeEmail(email), cancellationToken);
        PasswordCheck check;
        try
        {
            check = await hasher.VerifyAsync(password, account?.PasswordHash, cancellationToken);
        }
        catch (PasswordHashingBusyException)
        {
            metrics.LoginShed();
            throw;
        }
        if (account is null || !check.Matches)
        {
            metrics.LoginFailed();
            return null;
        }

        if (check.NeedsRehash)
        {
            await accounts.UpdatePasswordHashAsync(account.Id, await hasher.HashAsync(password, cancellationToken), cancellationToken);
            LogRehashed(logger, account.Id);
        }
        var tokens = await sessions.StartSessionAsync(account.Id, cancellationToken);
        metrics.LoginSucceeded();
        return tokens;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Password hash of account {AccountId} upgraded to the current Argon2id parameters")]
    private static partial void LogRehashed(ILogger logger, Guid accountId);
}
