using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace EndToEnd.Tests.Browser;

/// <summary>
/// Contract §7: the browser client at <c>/</c>, driven in Debian's Chromium through the gateway of the shared
/// system. The page's own requests all come from 127.0.0.1, so it makes at most three auth calls per test run
/// (auth tier: 5/min per IP); accounts it does not create in the page come from the fixture's client.
/// The tests that drive the browser are skipped where Chromium is not installed (<see cref="Tests.Shared.RequiredTool"/>).
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class BrowserClientTests(DistributedAppFixture fixture)
{
    private const string Password = "correct horse battery staple";

    [SkippableFact]
    public async Task APersonRegistersLogsInEditsTheProfileAndSeesItLiveWhileAnotherBrowserSeesThePublicChange()
    {
        await using var browser = await BrowserHarness.LaunchAsync();
        var email = $"browser-{Guid.NewGuid():N}@example.test";
        var newName = $"Edited {Guid.NewGuid():N}"[..20];
        await using var first = await browser.NewPageAsync(fixture.GatewayAddress);
        var page = first.Page;
        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("#crypto-status")).ToContainTextAsync("encrypted ✓");

        var register = page.Locator("#register-form");
        await register.GetByLabel("Email").FillAsync(email);
        await register.GetByLabel("Password").FillAsync(Password);
        await register.GetByLabel("Display name").FillAsync("Browser User");
        await register.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Account created");

        var login = page.Locator("#login-form");
        await Assertions.Expect(login.GetByLabel("Email")).ToHaveValueAsync(email);
        await login.GetByLabel("Password").FillAsync(Password);
        await login.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#profile-email")).ToHaveTextAsync(email);
        await Assertions.Expect(page.Locator("#profile-display-name")).ToHaveTextAsync("Browser User");
        await Assertions.Expect(page.Locator("#live-status")).ToHaveTextAsync("connected");
        var userId = await page.Locator("#profile-id").TextContentAsync();

        var edit = page.Locator("#profile-form");
        await edit.GetByLabel("Display name").FillAsync(newName);
        await edit.GetByLabel("Bio").FillAsync("Written in a real browser.");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Profile saved.");
        await Assertions.Expect(page.Locator("#live-log li[data-type=data_update]").First)
            .ToContainTextAsync($"\"entity\":\"user\",\"id\":\"{userId}\"");
        await Assertions.Expect(page.Locator("#crypto-status")).ToContainTextAsync("session ");
        await first.ScreenshotAsync("client-after-live-update");

        await using var second = await browser.NewPageAsync(fixture.GatewayAddress);
        await second.Page.GotoAsync("/");
        await second.Page.GetByLabel("User id", new() { Exact = true }).FillAsync(userId!);
        await second.Page.GetByRole(AriaRole.Button, new() { Name = "Look up" }).ClickAsync();
        await Assertions.Expect(second.Page.GetByRole(AriaRole.List, new() { Name = "Profiles found" }))
            .ToContainTextAsync($"{newName} — Written in a real browser.");
        await second.ScreenshotAsync("client-second-browser-public-profile");

        foreach (var recorded in new[] { first, second })
        {
            Assert.Empty(recorded.Errors);
            Assert.Equal([Origin(fixture.GatewayAddress)], recorded.RequestOrigins());
            await AssertApiCallsAreEncryptedAsync(recorded);
        }
        Assert.Equal([$"ws://{fixture.GatewayAddress.Authority}/ws"], first.WebSocketUrls.Distinct());
    }

    [SkippableFact]
    public async Task SavingAStaleProfileShowsAClearMessageAndTheLatestVersion()
    {
        await using var browser = await BrowserHarness.LaunchAsync();
        var (email, accessToken) = await RegisterAndLoginOutsideThePageAsync();
        await using var recorded = await browser.NewPageAsync(fixture.GatewayAddress);
        var page = recorded.Page;
        await page.GotoAsync("/");
        var login = page.Locator("#login-form");
        await login.GetByLabel("Email").FillAsync(email);
        await login.GetByLabel("Password").FillAsync(Password);
        await login.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#profile-display-name")).ToHaveTextAsync("Stale Reader");

        await Assertions.Expect(page.Locator("#live-status")).ToHaveTextAsync("connected");
        var edit = page.Locator("#profile-form");
        await edit.GetByLabel("Display name").FillAsync("My Stale Edit");

        // While the person edits, another device changes the profile; the page hears of it but keeps their edit.
        using var elsewhere = new HttpRequestMessage(HttpMethod.Patch, "/api/users/me") { Content = JsonContent.Create(new { displayName = "Changed Elsewhere" }) };
        elsewhere.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.SendAsync(elsewhere)).StatusCode);
        await Assertions.Expect(page.Locator("#live-log li[data-type=data_update]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#profile-display-name")).ToHaveTextAsync("Changed Elsewhere");
        await Assertions.Expect(edit.GetByLabel("Display name")).ToHaveValueAsync("My Stale Edit");

        await edit.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("changed elsewhere since you loaded it (HTTP 412");
        await Assertions.Expect(edit.GetByLabel("Display name")).ToHaveValueAsync("Changed Elsewhere");
        await recorded.ScreenshotAsync("client-412-message");
        // The 412 itself is logged by Chromium as a failed resource; nothing else may go wrong in the page.
        Assert.DoesNotContain(recorded.Errors, e => !e.Contains("status of 412"));
    }

    [Fact]
    public async Task TheClientPageHasAStrictContentSecurityPolicy()
    {
        var response = await fixture.Gateway.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.Contains($"connect-src 'self' ws://{fixture.GatewayAddress.Authority}", policy);
        Assert.Contains("default-src 'none'", policy);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)[^>]*>", html);
    }

    private async Task<(string Email, string AccessToken)> RegisterAndLoginOutsideThePageAsync()
    {
        var email = $"browser-{Guid.NewGuid():N}@example.test";
        var registered = await fixture.Gateway.PostAsJsonAsync("/api/auth/register", new { email, password = Password, displayName = "Stale Reader" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var login = await fixture.Gateway.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (email, (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!);
    }

    /// <summary>Every API call the page made (the handshake aside) carried and received JWE, never plain JSON.</summary>
    private static async Task AssertApiCallsAreEncryptedAsync(RecordedPage recorded)
    {
        var calls = recorded.Requests.Where(r => new Uri(r.Url).AbsolutePath is var path && path.StartsWith("/api/") && path != "/api/session").ToList();
        Assert.NotEmpty(calls);
        foreach (var call in calls)
        {
            if (call.PostData is { } body)
            {
                Assert.Equal("application/jose", await call.HeaderValueAsync("content-type"));
                Assert.Equal(5, body.Split('.').Length);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(await call.HeaderValueAsync("x-session-id")), $"{call.Method} {call.Url} named no session");
            }
            var response = await call.ResponseAsync();
            Assert.NotNull(response);
            if ((await response.BodyAsync()).Length > 0)
            {
                Assert.Equal("application/jose", await response.HeaderValueAsync("content-type"));
            }
        }
    }

    private static string Origin(Uri address) => address.GetLeftPart(UriPartial.Authority);
}
