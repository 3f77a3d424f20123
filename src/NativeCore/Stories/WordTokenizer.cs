namespace NativeCore.Stories;

/// <summary>
/// The word-level tokenizer of ProcStories: a closed vocabulary of every word the templates, the lexicon, the header
/// lines and the feature names can produce, plus BOS and the newline. Ids are stable: specials first, then words in
/// ordinal order.
/// </summary>
internal sealed class WordTokenizer
{
    /// <summary>The token every example starts with.</summary>
    public const string Bos = "<bos>";

    /// <summary>The line break between header lines.</summary>
    public const string Newline = "\n";

    private readonly Dictionary<string, int> _ids;

    /// <summary>The ProcStories tokenizer.</summary>
    public static WordTokenizer ProcStories { get; } = new(Words());

    private WordTokenizer(IEnumerable<string> words)
    {
        Tokens = new[] { Bos, Newline }.Concat(words.Distinct().Where(w => w is not (Bos or Newline)).Order(StringComparer.Ordinal)).ToList();
        _ids = Tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>Every token by id.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Vocabulary size.</summary>
    public int Count => Tokens.Count;

    /// <summary>The id of BOS.</summary>
    public int BosId => _ids[Bos];

    /// <summary>The id of <paramref name="token"/>.</summary>
    /// <exception cref="InvalidConfigException">The word is outside the closed vocabulary; the message names it.</exception>
    public int Id(string token) => _ids.TryGetValue(token, out int id) ? id : throw new InvalidConfigException($"'{token}' is not in the ProcStories vocabulary");

    /// <summary>Text (words separated by spaces, lines by newlines) as ids, without BOS.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (i > 0) ids.Add(_ids[Newline]);
            foreach (string w in lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries)) ids.Add(Id(w));
        }
        return ids.ToArray();
    }

    /// <summary>Ids back to text; BOS is dropped.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var parts = new List<string>();
        foreach (int id in ids)
        {
            string t = Tokens[id];
            if (t == Bos) continue;
            parts.Add(t);
        }
        return string.Join(' ', parts).Replace(" \n ", "\n", StringComparison.Ordinal).Replace("\n ", "\n", StringComparison.Ordinal).Replace(" \n", "\n", StringComparison.Ordinal);
    }

    private static IEnumerable<string> Words() =>
        StoryTemplates.All.SelectMany(t => t.Tokens).Where(t => !(t.Length > 2 && t[0] == '{'))
            .Concat(StoryLexicon.Names).Concat(StoryLexicon.Containers).Concat(StoryLexicon.Places).Concat(StoryLexicon.Things)
            .Concat(StoryLexicon.Slots.SelectMany(s => s.Expected.Concat(s.Revealed)))
            .Concat(StoryTemplates.SummaryWords).Concat(StoryExample.HeaderKeys).Append(StoryExample.StoryKey)
            .Concat(StoryFeatures.All.Select(f => f.ToString())).Append(",");
}
