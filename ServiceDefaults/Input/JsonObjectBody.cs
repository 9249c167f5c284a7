using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using ServiceDefaults.Text;

namespace ServiceDefaults.Input;

/// <summary>
/// A request body read as one JSON object, with every field error collected under its name. Request records
/// bind through it (<see cref="BindAsync{T}"/>), so a handler only ever sees a valid record.
/// <para>Why hand-written: the framework's JSON binding answers 400 for a field of the wrong type (the contract
/// wants 422 naming every such field), lets an escaped lone surrogate (<c>"\ud800"</c>) escape as an
/// <see cref="InvalidOperationException"/> (a 500), and its validation answers 400, not 422.</para>
/// </summary>
public sealed class JsonObjectBody
{
    private readonly JsonElement _root;
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    private JsonObjectBody(JsonElement root) => _root = root;

    /// <summary>Reads the body, builds a record from it and throws the 422 if any field was refused.</summary>
    public static async ValueTask<T?> BindAsync<T>(HttpContext context, Func<JsonObjectBody, T> create)
    {
        var body = await ReadAsync(context);
        var request = create(body);
        body.ThrowIfInvalid();
        return request;
    }

    /// <summary>415 for another media type, 413 past the body limit, 400 for anything that is not a JSON object in UTF-8.</summary>
    public static async Task<JsonObjectBody> ReadAsync(HttpContext context)
    {
        if (!IsJson(context.Request.ContentType))
        {
            throw new RequestInputException(StatusCodes.Status415UnsupportedMediaType, "The body must be application/json in UTF-8.");
        }
        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            bytes = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new RequestInputException(StatusCodes.Status413PayloadTooLarge, "The body exceeds the size limit.");
        }
        // The JSON reader checks UTF-8 only when a string is decoded, and then throws InvalidOperationException.
        if (!Utf8.IsValid(bytes))
        {
            throw BadRequest("The body is not valid UTF-8.");
        }
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw BadRequest("The body must be a JSON object.");
            }
            if (!StringsAreWellFormed(document.RootElement))
            {
                throw BadRequest("The body holds an escaped lone surrogate, which is not text.");
            }
            return new JsonObjectBody(document.RootElement.Clone());
        }
        catch (JsonException)
        {
            throw BadRequest("The body is not valid JSON (or repeats a property).");
        }
        catch (InvalidOperationException)
        {
            // The duplicate-property check decodes names while parsing, so a lone surrogate in a name surfaces here.
            throw BadRequest("The body holds an escaped lone surrogate, which is not text.");
        }
    }

    public bool IsValid => _errors.Count == 0;

    /// <summary>Every property, for readers (merge patch) that must see unknown fields too.</summary>
    public IEnumerable<JsonProperty> Properties => _root.EnumerateObject();

    /// <summary>A required single-line string: absent/null "is required", another type "must be a string", controls refused.</summary>
    public string RequiredString(string name)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            AddError(name, "is required");
            return "";
        }
        return StringValue(name, value);
    }

    /// <summary>The string a property holds, checked for control characters (only multi-line fields may hold LF and tab).</summary>
    public string StringValue(string name, JsonElement value, bool multiLine = false)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            AddError(name, "must be a string");
            return "";
        }
        var text = value.GetString()!;
        AddError(name, TextRules.ControlProblem(text, multiLine));
        return text;
    }

    public Guid RequiredGuid(string name)
    {
        if (_root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.TryGetGuid(out var id) && id != Guid.Empty)
        {
            return id;
        }
        AddError(name, "must be a UUID");
        return Guid.Empty;
    }

    /// <summary>Absent or null is null; anything else must be a UUID.</summary>
    public Guid? OptionalGuid(string name)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.String && value.TryGetGuid(out var id))
        {
            return id;
        }
        AddError(name, "must be a UUID or null");
        return null;
    }

    public DateTimeOffset RequiredTimestamp(string name)
    {
        if (_root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var time))
        {
            return time;
        }
        AddError(name, "must be an ISO 8601 timestamp");
        return default;
    }

    public void AddError(string name, string? message)
    {
        if (message is null)
        {
            return;
        }
        if (!_errors.TryGetValue(name, out var messages))
        {
            _errors[name] = messages = [];
        }
        if (!messages.Contains(message))
        {
            messages.Add(message);
        }
    }

    /// <summary>Adds a rule's message only when the field was not already refused (absent, wrong type, controls).</summary>
    public void AddErrorUnlessRefused(string name, string? message)
    {
        if (!_errors.ContainsKey(name))
        {
            AddError(name, message);
        }
    }

    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            throw new RequestInputException(StatusCodes.Status422UnprocessableEntity, "See errors for each field.",
                _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }

    /// <summary>Charsets whose bytes are read correctly as UTF-8 (ASCII is a subset); any other is 415, not misread.</summary>
    private static readonly HashSet<string> Utf8Charsets = new(["utf-8", "utf8", "us-ascii"], StringComparer.OrdinalIgnoreCase);

    /// <summary><c>application/json</c> or any <c>application/*+json</c> (merge patch), UTF-8 (or ASCII) or no charset.</summary>
    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }
        var type = media.MediaType.Value ?? "";
        var charset = media.Charset.Value;
        return (type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
            && (charset is null || Utf8Charsets.Contains(charset));
    }

    private static RequestInputException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, detail);

    /// <summary>
    /// Decodes every string and property name once: System.Text.Json throws InvalidOperationException (not
    /// JsonException) for an escaped lone surrogate, so this is where it is turned into a 400.
    /// </summary>
    private static bool StringsAreWellFormed(JsonElement element)
    {
        try
        {
            Visit(element);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static void Visit(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        Visit(property.Value);
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Visit(item);
                    }
                    break;
                case JsonValueKind.String:
                    _ = element.GetString();
                    break;
            }
        }
    }
}
