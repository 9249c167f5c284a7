using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using ServiceDefaults.Input;

namespace UnitTests.Input;

public sealed class ProblemCatalogTests
{
    [Theory]
    [InlineData(413, "https://tools.ietf.org/html/rfc9110#section-15.5.14", "Content Too Large")]
    [InlineData(422, "https://tools.ietf.org/html/rfc9110#section-15.5.21", "Unprocessable Content")]
    [InlineData(429, "https://tools.ietf.org/html/rfc6585#section-4", "Too Many Requests")]
    [InlineData(503, "https://tools.ietf.org/html/rfc9110#section-15.6.4", "Service Unavailable")]
    public void EveryStatusGetsOneTypeAndTitleAndAWritersOwnTitleBecomesTheDetail(int status, string type, string title)
    {
        var context = Apply(new ProblemDetails { Status = status, Title = "Something specific" });

        Assert.Equal(type, context.ProblemDetails.Type);
        Assert.Equal(title, context.ProblemDetails.Title);
        Assert.Equal(status >= 500 ? null : "Something specific", context.ProblemDetails.Detail);
        Assert.Equal("/api/x", context.ProblemDetails.Instance);
        Assert.True(context.ProblemDetails.Extensions.ContainsKey("traceId"));
    }

    [Fact]
    public void AFiveHundredSaysNothingAboutTheFailure()
    {
        var problem = new ProblemDetails { Status = 500, Detail = "Npgsql.PostgresException at db.internal:5432" };
        problem.Extensions["exception"] = "stack";

        var context = Apply(problem);

        Assert.Null(context.ProblemDetails.Detail);
        Assert.False(context.ProblemDetails.Extensions.ContainsKey("exception"));
    }

    [Fact]
    public void A401WithoutAChallengeGetsBearer()
    {
        var context = Apply(new ProblemDetails { Status = 401 });

        Assert.Equal("Bearer", context.HttpContext.Response.Headers.WWWAuthenticate.ToString());
    }

    [Fact]
    public void AnUnlistedStatusStillGetsATypeAndTheReasonPhrase()
    {
        var context = Apply(new ProblemDetails { Status = 418 });

        Assert.StartsWith("https://tools.ietf.org/html/rfc9110#section-15.5", context.ProblemDetails.Type);
        Assert.False(string.IsNullOrEmpty(context.ProblemDetails.Title));
    }

    private static ProblemDetailsContext Apply(ProblemDetails problem)
    {
        var http = new DefaultHttpContext();
        http.Request.Path = "/api/x";
        var context = new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem };
        ProblemCatalog.Apply(context);
        return context;
    }
}
