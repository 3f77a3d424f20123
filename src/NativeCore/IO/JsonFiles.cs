using System.Text.Json;

namespace NativeCore.IO;

/// <summary>Reads JSON files with errors that name the file.</summary>
public static class JsonFiles
{
    /// <summary>Parses <paramref name="path"/>; the caller disposes the document.</summary>
    /// <param name="path">The file.</param>
    /// <param name="whatItIs">Words after "not found;" that tell the user what was expected there.</param>
    /// <exception cref="InvalidConfigException">The file is missing or is not valid JSON; the message names it.</exception>
    public static JsonDocument Parse(string path, string whatItIs)
    {
        if (!File.Exists(path)) throw new InvalidConfigException($"{path}: not found; {whatItIs}");
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidConfigException($"{path}: invalid JSON: {e.Message}");
        }
    }
}
