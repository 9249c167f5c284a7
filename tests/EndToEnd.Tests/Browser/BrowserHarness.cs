using Microsoft.Playwright;
using Tests.Shared;

namespace EndToEnd.Tests.Browser;

/// <summary>
/// Debian's Chromium (<c>chromium</c> on <c>PATH</c>, installed by <c>.ci/run</c>) driven by Playwright — never a
/// downloaded browser. Where it is not installed, <see cref="LaunchAsync"/> skips the calling <c>[SkippableFact]</c>
/// (fails it under CI: <see cref="RequiredTool"/>). Each page it opens records every request, console error and page
/// error, so tests can say that nothing left the gateway's origin and nothing failed in the page.
/// </summary>
public sealed class BrowserHarness : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private BrowserHarness(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Where screenshots go: a folder beside the test assembly, kept as test output.</summary>
    public static string OutputFolder { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "browser-output")).FullName;

    public static async Task<BrowserHarness> LaunchAsync()
    {
        var chromium = RequiredTool.Chromium.Path();
        // Argon2 logins on two shared cores take seconds; waiting for what the page shows must outlast them.
        Assertions.SetDefaultExpectTimeout(30_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // Root in a container has no user namespaces for Chromium's sandbox.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        return new BrowserHarness(playwright, browser);
    }

    /// <summary>A fresh context (own storage, own cookies) with one page that records what it does.</summary>
    public async Task<RecordedPage> NewPageAsync(Uri baseAddress)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1100, Height = 900 },
        });
        var page = await context.NewPageAsync();
        return new RecordedPage(context, page);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>A page and everything it did: requests (with their responses), console errors and uncaught errors.</summary>
public sealed class RecordedPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    public RecordedPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Request += (_, request) => { lock (Requests) Requests.Add(request); };
        page.WebSocket += (_, socket) => { lock (WebSocketUrls) WebSocketUrls.Add(socket.Url); };
        page.Console += (_, message) =>
        {
            if (message.Type is "error")
            {
                lock (Errors) Errors.Add($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => { lock (Errors) Errors.Add($"page error: {error}"); };
    }

    public IPage Page { get; }

    public List<IRequest> Requests { get; } = [];

    public List<string> WebSocketUrls { get; } = [];

    public List<string> Errors { get; } = [];

    /// <summary>Every origin the page contacted (scheme, host, port), WebSockets and data: URLs aside.</summary>
    public IReadOnlyCollection<string> RequestOrigins()
    {
        lock (Requests)
        {
            return Requests.Select(r => new Uri(r.Url)).Where(u => u.Scheme is "http" or "https")
                .Select(u => u.GetLeftPart(UriPartial.Authority)).ToHashSet();
        }
    }

    public async Task ScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserHarness.OutputFolder, $"{name}.png"), FullPage = true });

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
