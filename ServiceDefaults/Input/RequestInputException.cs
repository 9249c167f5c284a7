namespace ServiceDefaults.Input;

/// <summary>
/// Raised while binding a request record when the body is refused (400/413/415/422). Binding runs before any
/// endpoint filter and cannot return a result, so the refusal travels as this exception to
/// <see cref="RequestInputExceptionHandler"/>, which answers it as a problem.
/// </summary>
public sealed class RequestInputException(int status, string detail, IDictionary<string, string[]>? errors = null)
    : Exception(detail)
{
    public int Status { get; } = status;

    public IDictionary<string, string[]>? Errors { get; } = errors;
}
