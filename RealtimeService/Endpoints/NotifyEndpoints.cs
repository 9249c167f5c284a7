using System.Reflection;
using RealtimeService.Application;
using ServiceDefaults.Input;
using ServiceDefaults.Text;

namespace RealtimeService.Endpoints;

/// <summary>
/// <c>POST /internal/notify</c> <c>{"userId"?, "title", "body"}</c> → 202 (internal contract 2). Other
/// services call it on this service's own port; the gateway has no route to it.
/// </summary>
public static class NotifyEndpoints
{
    public const int MaxTitleLength = 200;
    public const int MaxBodyLength = 4000;

    public static IEndpointRouteBuilder MapNotifyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/notify", NotifyAsync);
        return app;
    }

    /// <summary>The body, bound by the shared input layer and held to the shared text rules.</summary>
    public sealed record NotifyRequest(Guid? UserId, string Title, string Body) : IBindableFromHttpContext<NotifyRequest>
    {
        public static ValueTask<NotifyRequest?> BindAsync(HttpContext context, ParameterInfo parameter) =>
            JsonObjectBody.BindAsync(context, body =>
            {
                var userId = body.OptionalGuid("userId");
                var title = body.RequiredString("title");
                var text = body.RequiredString("body");
                body.AddErrorUnlessRefused("title", LengthProblem(title, MaxTitleLength));
                body.AddErrorUnlessRefused("body", LengthProblem(text, MaxBodyLength));
                return new NotifyRequest(userId, title, text);
            });

        private static string? LengthProblem(string text, int maxLength) =>
            TextRules.CodePoints(text) is 0 || TextRules.CodePoints(text) > maxLength ? $"must be 1-{maxLength} characters" : null;
    }

    private static async Task<IResult> NotifyAsync(NotifyRequest request, NotifyUsers notify, CancellationToken cancellationToken)
    {
        await notify.ExecuteAsync(request.UserId, request.Title, request.Body, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }
}
