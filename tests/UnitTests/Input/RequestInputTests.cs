using System.Text;
using IdentityService.Endpoints;
using Microsoft.AspNetCore.Http;
using ServiceDefaults.Input;
using UserService.Endpoints;

namespace UnitTests.Input;

/// <summary>The shared input layer, driven through the request records the endpoints bind.</summary>
public sealed class RequestInputTests
{
    private const string Password = "correct horse";

    [Theory]
    [InlineData("text/plain", 415)]
    [InlineData("application/json; charset=utf-16", 415)]
    [InlineData(null, 415)]
    public async Task AnotherMediaTypeIs415(string? contentType, int status) =>
        Assert.Equal(status, (await RefusalAsync(Register("""{"email":"a@example.com","password":"correct horse","displayName":"A"}""", contentType))).Status);

    [Theory]
    [InlineData("{\"email\":")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("""{"email":"a@example.com","email":"b@example.com","password":"correct horse","displayName":"A"}""")]
    [InlineData("""{"email":"a@example.com","password":"correct horse","displayName":"\ud800"}""")]
    [InlineData("""{"email":"a@example.com","password":"correct horse","displayName":"\udc00x"}""")]
    [InlineData("""{"\ud800":1,"email":"a@example.com","password":"correct horse","displayName":"A"}""")]
    public async Task MalformedJsonLoneSurrogatesAndDuplicateKeysAre400(string body) =>
        Assert.Equal(400, (await RefusalAsync(Register(body))).Status);

    [Fact]
    public async Task InvalidUtf8InsideAStringIs400()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"email":"a@example.com","password":"correct horse","displayName":"A?"}""");
        bytes[Array.LastIndexOf(bytes, (byte)'?')] = 0xC3; // a lead byte with no continuation
        Assert.Equal(400, (await RefusalAsync(Register(bytes, "application/json"))).Status);
    }

    [Fact]
    public async Task EveryBadFieldIsNamedInOne422()
    {
        var refusal = await RefusalAsync(Register("""{"email":5,"password":"short","displayName":"A\u0007B","extra":true}"""));
        Assert.Equal(422, refusal.Status);
        Assert.Equal(["must be a string"], refusal.Errors!["email"]);
        Assert.Equal(["must be 8-128 characters"], refusal.Errors["password"]);
        Assert.Equal(["must not contain control characters"], refusal.Errors["displayName"]);
        Assert.Equal(3, refusal.Errors.Count);
    }

    [Fact]
    public async Task AValidRegistrationBindsTrimmed()
    {
        var request = await RegisterRequest.BindAsync(Register("""{"email":" Ada@Example.com ","password":"correct horse","displayName":"  Ada  "}"""), null!);
        Assert.Equal(new RegisterRequest("Ada@Example.com", Password, "Ada"), request);
    }

    /// <summary>Registration, provisioning and the profile refuse the same display names with the same message.</summary>
    [Theory]
    [InlineData("Ada", null)]
    [InlineData("  Ada  ", null)]
    [InlineData("", "must not be empty")]
    [InlineData("   ", "must not be empty")]
    [InlineData("A\u0000B", "must not contain control characters")]
    [InlineData("A\u0007B", "must not contain control characters")]
    [InlineData("A\u001BB", "must not contain control characters")]
    [InlineData("A\u007FB", "must not contain control characters")]
    [InlineData("A\u0085B", "must not contain control characters")]
    [InlineData("A\nB", "must not contain control characters")]
    [InlineData("A\tB", "must not contain control characters")]
    [InlineData("😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", null)]
    [InlineData("😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", "must be at most 64 characters")]
    public async Task RegistrationProvisioningAndProfileAgreeOnDisplayNames(string displayName, string? problem)
    {
        var name = System.Text.Json.JsonSerializer.Serialize(displayName);
        var register = await OutcomeAsync(() => RegisterRequest.BindAsync(
            Register($$"""{"email":"a@example.com","password":"correct horse","displayName":{{name}}}"""), null!));
        var provision = await OutcomeAsync(() => ProvisionProfileRequest.BindAsync(Json(
            $$"""{"userId":"{{Guid.NewGuid()}}","email":"a@example.com","displayName":{{name}},"createdAt":"2026-01-01T00:00:00Z"}"""), null!));
        var patch = await OutcomeAsync(() => PatchProfileRequest.BindAsync(Json($$"""{"displayName":{{name}}}""", "application/merge-patch+json"), null!));

        Assert.Equal(problem, register);
        Assert.Equal(problem, provision);
        Assert.Equal(problem, patch);
    }

    [Fact]
    public async Task PatchKeepsMergeSemanticsAndNamesReadOnlyAndUnknownFields()
    {
        var patch = (await PatchProfileRequest.BindAsync(Json("""{"bio":null,"avatarUrl":"https://example.test/a.png"}"""), null!))!.Patch;
        Assert.False(patch.DisplayName.IsSet);
        Assert.True(patch.Bio.IsSet);
        Assert.Null(patch.Bio.Value);
        Assert.Equal("https://example.test/a.png", patch.AvatarUrl.Value);

        var refusal = await RefusalAsync(() => PatchProfileRequest.BindAsync(Json("""{"email":"x@example.com","colour":"red","bio":"a\u0000b"}"""), null!));
        Assert.Equal(["is read-only"], refusal.Errors!["email"]);
        Assert.Equal(["is not a profile field"], refusal.Errors["colour"]);
        Assert.Equal(["must not contain control characters other than line feeds and tabs"], refusal.Errors["bio"]);
    }

    [Fact]
    public async Task BioMayHoldLineFeedsAndTabs()
    {
        var patch = (await PatchProfileRequest.BindAsync(Json("""{"bio":"one\ntwo\tthree"}"""), null!))!.Patch;
        Assert.Equal("one\ntwo\tthree", patch.Bio.Value);
    }

    private static HttpContext Register(string body, string? contentType = "application/json") =>
        Register(Encoding.UTF8.GetBytes(body), contentType);

    private static HttpContext Register(byte[] body, string? contentType)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(body);
        return context;
    }

    private static HttpContext Json(string body, string contentType = "application/json") => Register(body, contentType);

    private static Task<RequestInputException> RefusalAsync(HttpContext registration) =>
        RefusalAsync(() => RegisterRequest.BindAsync(registration, null!));

    private static async Task<RequestInputException> RefusalAsync<T>(Func<ValueTask<T>> bind) =>
        await Assert.ThrowsAsync<RequestInputException>(async () => await bind());

    /// <summary>The displayName message of the refusal, or null when the body was accepted.</summary>
    private static async Task<string?> OutcomeAsync<T>(Func<ValueTask<T>> bind)
    {
        try
        {
            await bind();
            return null;
        }
        catch (RequestInputException refused) when (refused.Status == 422)
        {
            return Assert.Single(refused.Errors!["displayName"]);
        }
    }
}
