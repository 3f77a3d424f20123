using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace NativeCore.Tests.Fuzz;

/// <summary>
/// A JSON value as a mutable tree that keeps key order and allows a key twice: JsonNode refuses repeated keys, and a
/// repeated key is one of the mutations the readers must survive.
/// </summary>
internal sealed class JsonTree
{
    private string? _scalar;
    private List<(string Key, JsonTree Value)>? _properties;
    private List<JsonTree>? _items;

    private JsonTree() { }

    /// <summary>Parses <paramref name="json"/>, skipping comments (the presets carry them).</summary>
    public static JsonTree Parse(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 1024 });
        return From(doc.RootElement);
    }

    private static JsonTree From(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => new JsonTree { _properties = [.. e.EnumerateObject().Select(p => (p.Name, From(p.Value)))] },
        JsonValueKind.Array => new JsonTree { _items = [.. e.EnumerateArray().Select(From)] },
        _ => new JsonTree { _scalar = e.GetRawText() },
    };

    public JsonTree Clone() => new()
    {
        _scalar = _scalar,
        _properties = _properties?.Select(p => (p.Key, p.Value.Clone())).ToList(),
        _items = _items?.Select(i => i.Clone()).ToList(),
    };

    /// <summary>Every value in document order, this one first.</summary>
    public List<JsonTree> Values()
    {
        var all = new List<JsonTree>();
        void Walk(JsonTree t)
        {
            all.Add(t);
            foreach (var (_, v) in t._properties ?? []) Walk(v);
            foreach (var i in t._items ?? []) Walk(i);
        }
        Walk(this);
        return all;
    }

    /// <summary>Every object property as (its object, its index there), in document order.</summary>
    public List<(JsonTree Owner, int Index)> Slots() =>
        [.. Values().Where(v => v._properties is not null).SelectMany(v => Enumerable.Range(0, v._properties!.Count).Select(i => (v, i)))];

    public void ReplaceWith(JsonTree other)
    {
        _scalar = other._scalar;
        _properties = other._properties;
        _items = other._items;
    }

    public List<(string Key, JsonTree Value)> Properties => _properties ?? throw new InvalidOperationException("not an object");

    public override string ToString()
    {
        var sb = new StringBuilder();
        Write(sb);
        return sb.ToString();
    }

    private void Write(StringBuilder sb)
    {
        if (_scalar is not null)
        {
            sb.Append(_scalar);
        }
        else if (_properties is not null)
        {
            sb.Append('{');
            for (int i = 0; i < _properties.Count; i++)
            {
                if (i > 0) sb.Append(',');
                sb.Append(JsonSerializer.Serialize(_properties[i].Key)).Append(':');
                _properties[i].Value.Write(sb);
            }
            sb.Append('}');
        }
        else
        {
            sb.Append('[');
            for (int i = 0; i < _items!.Count; i++)
            {
                if (i > 0) sb.Append(',');
                _items[i].Write(sb);
            }
            sb.Append(']');
        }
    }

    /// <summary>
    /// Whether two JSON texts hold the same values written the same way, formatting and comments aside. Numbers are
    /// compared as written: -0.0 equals 0 as JSON but not as a double. False when either does not parse or repeats a
    /// key, since then what it means depends on the reader.
    /// </summary>
    public static bool SameMeaning(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        try
        {
            var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip };
            var x = JsonNode.Parse(a, documentOptions: options);
            var y = JsonNode.Parse(b, documentOptions: options);
            return (x?.ToJsonString() ?? "null") == (y?.ToJsonString() ?? "null");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>One structural change to a JSON document. Indices wrap modulo the count of values or keys.</summary>
internal abstract record JsonEdit
{
    public abstract void Apply(JsonTree root);
}

internal sealed record ReplaceValue(int Index, string Json) : JsonEdit
{
    public override void Apply(JsonTree root)
    {
        var values = root.Values();
        values[Index % values.Count].ReplaceWith(JsonTree.Parse(Json));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"replace value {Index} by {JsonEdits.Clip(Json)}");
}

internal sealed record DeleteKey(int Index) : JsonEdit
{
    public override void Apply(JsonTree root)
    {
        var slots = root.Slots();
        if (slots.Count == 0) return;
        var (owner, i) = slots[Index % slots.Count];
        owner.Properties.RemoveAt(i);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"delete key {Index}");
}

/// <summary>Repeats a key right after itself, with its own value (<see cref="Json"/> null) or another.</summary>
internal sealed record RepeatKey(int Index, string? Json) : JsonEdit
{
    public override void Apply(JsonTree root)
    {
        var slots = root.Slots();
        if (slots.Count == 0) return;
        var (owner, i) = slots[Index % slots.Count];
        var (key, value) = owner.Properties[i];
        owner.Properties.Insert(i + 1, (key, Json is null ? value.Clone() : JsonTree.Parse(Json)));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"repeat key {Index} with {(Json is null ? "its value" : JsonEdits.Clip(Json))}");
}

internal sealed record RenameKey(int Index, string Key) : JsonEdit
{
    public override void Apply(JsonTree root)
    {
        var slots = root.Slots();
        if (slots.Count == 0) return;
        var (owner, i) = slots[Index % slots.Count];
        owner.Properties[i] = (Key, owner.Properties[i].Value);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"rename key {Index} to {JsonSerializer.Serialize(Key)}");
}

/// <summary>CsCheck generators of JSON edits and of the values they put in.</summary>
internal static class JsonEdits
{
    // Values at the edges of what the readers' types hold: null, strings where numbers belong, numbers past int,
    // long, ulong and double, fractions where integers belong, lone UTF-16 surrogates (valid JSON escapes that are
    // not valid text), nesting past the parser's depth limit, and a long string.
    private static readonly string[] Palette =
    [
        "null", "true", "false", "0", "-1", "1", "2", "3", "0.5", "-0.0", "1.5", "16", "2147483647", "2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
        "123456789012345678901234567890", "1e9", "1e308", "1e400", "-1e400", "1e-400", "4.9e-324",
        "\"\"", "\"x\"", "\"0\"", "\"F32\"", "\"F64\"", "\"I32\"", "\"I64\"", "\"U8\"", "\"BF16\"", "\"F32,I32\"", "\"1\"",
        "\"high\"", "\"procedural\"", "\"layernorm\"", "\"swiglu\"", "\"rope\"", "\"pretrain\"", "\"nativecore-checkpoint/1\"",
        "\"\\ud800\"", "\"\\udc00x\"", "\"\\u0000\"", "\"a\\nb\"",
        "[]", "[null]", "[0]", "[-1]", "[1,2]", "[0,0]", "[2147483647,2147483647]", "[\"a\"]", "[[]]", "[{}]", "{}", "{\"a\":1}",
        new string('[', 100) + new string(']', 100),
        JsonSerializer.Serialize(new string('y', 100_000)),
    ];

    private static readonly string[] KeyPalette =
        ["", "x", "__metadata__", "a.b", "x'y\\q", "$", "[0]", "$.model", "model", "config", "step", "dtype", "shape", "data_offsets", "format", "n_embd", "\u00e9", "\ud800"];

    /// <summary>JSON texts to put in place of a value.</summary>
    public static Gen<string> Values { get; } = Gen.Frequency(
        (8, Gen.OneOf(Palette)),
        (2, Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Double.Where(double.IsFinite).Select(d => d.ToString("R", CultureInfo.InvariantCulture))),
        (2, Gen.String[Gen.Char[' ', '~'], 0, 12].Select(s => JsonSerializer.Serialize(s))));

    /// <summary>Keys to rename a key to.</summary>
    public static Gen<string> Keys { get; } = Gen.Frequency((3, Gen.OneOf(KeyPalette)), (1, Gen.String[Gen.Char[' ', '~'], 0, 8]));

    /// <summary>Edits of <paramref name="tree"/>: a value replaced, a key deleted, repeated or renamed.</summary>
    public static Gen<JsonEdit> Of(JsonTree tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var value = Gen.Int[0, tree.Values().Count - 1];
        var slot = Gen.Int[0, Math.Max(tree.Slots().Count - 1, 0)];
        var repeated = Gen.Frequency((1, Gen.Const((string?)null)), (1, Values.Select(v => (string?)v)));
        return Gen.Frequency(
            (6, Gen.Select(value, Values, (i, v) => (JsonEdit)new ReplaceValue(i, v))),
            (2, slot.Select(i => (JsonEdit)new DeleteKey(i))),
            (1, Gen.Select(slot, repeated, (i, v) => (JsonEdit)new RepeatKey(i, v))),
            (1, Gen.Select(slot, Keys, (i, k) => (JsonEdit)new RenameKey(i, k))));
    }

    internal static string Clip(string text) => text.Length <= 40 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..40]}…({text.Length} chars)");
}

/// <summary>A mutation of a JSON file: structural edits (then re-serialised), then byte edits.</summary>
internal sealed record JsonFileMutation(JsonEdit[] Structure, ByteEdit[] Bytes)
{
    /// <summary>The mutated file. Without structural edits the original bytes are edited, comments and layout kept.</summary>
    public byte[] Apply(JsonTree tree, byte[] original)
    {
        ArgumentNullException.ThrowIfNull(tree);
        byte[] bytes = original;
        if (Structure.Length > 0)
        {
            var copy = tree.Clone();
            foreach (var e in Structure) e.Apply(copy);
            bytes = Encoding.UTF8.GetBytes(copy.ToString());
        }
        return ByteEdits.ApplyAll(bytes, Bytes);
    }

    /// <summary>Mutations of a JSON file whose parsed form is <paramref name="tree"/> and whose size is <paramref name="length"/>.</summary>
    public static Gen<JsonFileMutation> Of(JsonTree tree, int length)
    {
        var structure = JsonEdits.Of(tree);
        var bytes = ByteEdits.Of(length);
        return Gen.Frequency(
            (5, structure.Array[1, 2].Select(s => new JsonFileMutation(s, []))),
            (4, bytes.Array[1, 3].Select(b => new JsonFileMutation([], b))),
            (1, Gen.Select(structure.Array[1, 2], bytes.Array[1, 2], (s, b) => new JsonFileMutation(s, b))));
    }

    public override string ToString() => string.Join("; ", Structure.Select(s => s.ToString()).Concat(Bytes.Select(b => b.ToString())));
}
