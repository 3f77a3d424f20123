using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NativeCore.IO;

/// <summary>Reads JSON files with errors that name the file.</summary>
public static partial class JsonFiles
{
    /// <summary>Parses <paramref name="path"/>; the caller disposes the document.</summary>
    /// <param name="path">The file.</param>
    /// <param name="whatItIs">Words after "not found;" that tell the user what was expected there.</param>
    /// <exception cref="InvalidConfigException">The file is missing or is not valid JSON; the message names it.</exception>
    public static JsonDocument Parse(string path, string whatItIs)
    {
        if (!File.Exists(path)) throw new MissingInputException(Directory.Exists(path) ? $"{path} is a folder; {whatItIs}" : $"{path}: not found; {whatItIs}");
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidConfigException($"{path}: invalid JSON: {e.Message}");
        }
    }

    /// <summary>
    /// A deserialisation error in the file's own terms: <c>'config.model' is null</c> when the value at the error's
    /// path is JSON null (options with <see cref="JsonSerializerOptions.RespectNullableAnnotations"/> refuse it there),
    /// else the serializer's message.
    /// </summary>
    internal static string Describe(JsonException error, string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException)
        {
            return error.Message;
        }
        return Describe(error, root);
    }

    /// <inheritdoc cref="Describe(JsonException, string)"/>
    internal static string Describe(JsonException error, JsonNode? root)
    {
        // The serializer's own wording ("doesn't allow setting null values. Consider updating its nullability
        // annotation") speaks to the programmer; the user needs the field.
        if (error.Path is { } path && IsNullAt(root, path)) return $"'{(path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path)}' is null";
        return error.Message;
    }

    private static bool IsNullAt(JsonNode? node, string path)
    {
        try
        {
            return IsNullAlong(node, path);
        }
        catch (ArgumentException)
        {
            // JSON allows a repeated key, but JsonObject throws on one when it first indexes its keys; a name in the
            // path with an escape Regex.Unescape does not know does too. The serializer's own message serves then.
            return false;
        }
    }

    private static bool IsNullAlong(JsonNode? node, string path)
    {
        if (!path.StartsWith('$')) return false;
        int at = 1;
        foreach (Match m in PathStep().Matches(path, 1))
        {
            if (m.Index != at) return false;
            at += m.Length;
            if (m.Groups["index"].Success)
            {
                if (node is not JsonArray array || !int.TryParse(m.Groups["index"].ValueSpan, out int i) || i >= array.Count) return false;
                node = array[i];
            }
            else
            {
                string name = m.Groups["name"].Success ? m.Groups["name"].Value : Regex.Unescape(m.Groups["quoted"].Value);
                if (node is not JsonObject obj || !obj.TryGetPropertyValue(name, out node)) return false;
            }
        }
        return at == path.Length && node is null;
    }

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>(?:[^'\\]|\\.)*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathStep();
}
