using NativeCore.Model;

namespace NativeCore.Tracr;

/// <summary>
/// Writes each compiled SOp's head or MLP units into its layer, in residual coordinates, then pads every layer to the
/// widest one and lays the result out under minGPT's parameter names.
/// </summary>
internal sealed class BlockBuilder(ResidualLayout layout, IReadOnlyDictionary<Sop, IReadOnlyList<RaspValue>> values, TracrOptions options, int layerCount)
{
    /// <summary>One head: |Q| query rows, the same number of key rows (W_QK folded into the keys), and value rows each with the residual column its output writes.</summary>
    private sealed record Head(List<double[]> Queries, List<double[]> Keys, List<double[]> Values, List<double[]> Outputs)
    {
        public int Size => Math.Max(Queries.Count, Values.Count);
    }

    /// <summary>One ReLU unit: its c_fc row and c_proj column, both over the residual stream.</summary>
    private sealed record Unit(double[] In, double[] Out);

    private readonly List<Head>[] _heads = Enumerable.Range(0, layerCount).Select(_ => new List<Head>()).ToArray();
    private readonly List<Unit>[] _units = Enumerable.Range(0, layerCount).Select(_ => new List<Unit>()).ToArray();
    private int C => layout.Width;

    private double[] Zero() => new double[C];

    private double[] OneHot(int coordinate)
    {
        var v = Zero();
        v[coordinate] = 1;
        return v;
    }

    private int Bos => layout["tokens", RaspValue.Of(TracrCompiler.Bos)];
    private int One => layout["one"];

    /// <summary>A lookup table: one hidden unit per output value, fed by every input value that maps to it. BOS and PAD have no input direction here, so they give zero.</summary>
    public void Map(int layer, MapSop map)
    {
        foreach (var output in values[map])
        {
            var unit = new Unit(Zero(), OneHot(layout[map.Label, output]));
            foreach (var x in values[map.Input])
                if (map.Function(x) == output) unit.In[layout[map.Input.Label, x]] = 1;
            _units[layer].Add(unit);
        }
    }

    /// <summary>A head that copies the source's value from the selected key: BOS gets half a match, so a query with no match reads BOS, which writes nothing.</summary>
    public void Aggregate(int layer, AggregateSop aggregate)
    {
        var head = SelectorHead(aggregate.Selector, bosWeight: 0.5);
        foreach (var v in values[aggregate.Source])
        {
            head.Values.Add(OneHot(layout[aggregate.Source.Label, v]));
            head.Outputs.Add(OneHot(layout[aggregate.Label, v]));
        }
        _heads[layer].Add(head);
    }

    /// <summary>
    /// A head that always attends to BOS as much as to each match, so it reads 1/(w+1) from the BOS direction; then a
    /// discretising MLP that turns 1/(w+1) into the one-hot of w, and one unit that cleans the BOS position.
    /// </summary>
    public void SelectorWidth(int layer, SelectorWidthSop width)
    {
        int hidden = layout[width.AttentionOutputLabel];
        var head = SelectorHead(width.Selector, bosWeight: 1.0);
        head.Values.Add(OneHot(Bos));
        head.Outputs.Add(OneHot(hidden));
        _heads[layer].Add(head);

        // Input values 1/(w+1) in ascending order, and the w each decodes to.
        var xs = values[width].Select(w => 1.0 / (w.Number + 1)).Order().ToList();
        int Out(double x) => layout[width.Label, RaspValue.Of((int)Math.Round(1 / x - 1))];
        double l = options.MlpExactness;
        var start = new Unit(OneHot(One), OneHot(Out(xs[0])));
        _units[layer].Add(start);
        for (int k = 1; k < xs.Count; k++)
        {
            double threshold = (xs[k - 1] + xs[k]) / 2;
            // ReLU(L·x + 1 − L·t) − ReLU(L·x − L·t) steps from 0 to 1 as x crosses t; it moves the output from f(x_{k−1}) to f(x_k).
            var step = Zero();
            step[Out(xs[k])] += 1;
            step[Out(xs[k - 1])] -= 1;
            var upper = new Unit(Zero(), step);
            upper.In[hidden] = l;
            upper.In[One] = 1 - l * threshold;
            var lower = new Unit(Zero(), step.Select(s => -s).ToArray());
            lower.In[hidden] = l;
            lower.In[One] = -l * threshold;
            _units[layer].Add(upper);
            _units[layer].Add(lower);
        }
        // At BOS the head reads only itself (x = 1, decoded as w = 0): subtract both so BOS stays clean.
        var clean = new Unit(OneHot(Bos), Zero());
        clean.Out[hidden] = -1;
        clean.Out[layout[width.Label, RaspValue.Of(0)]] = -1;
        _units[layer].Add(clean);
    }

    /// <summary>
    /// W_QK[query a, key b] = c·predicate(b, a) and W_QK[one, BOS] = bosWeight·c, factored as an identity projection of
    /// the query space (its values, BOS and one) and keys that carry W_QK's rows.
    /// </summary>
    private Head SelectorHead(Selector selector, double bosWeight)
    {
        double c = options.Coldness;
        var queryDirs = values[selector.Queries].Select(v => (Coordinate: layout[selector.Queries.Label, v], Value: (RaspValue?)v))
            .Append((Bos, null)).Append((One, null)).ToList();
        var head = new Head([], [], [], []);
        foreach (var (coordinate, queryValue) in queryDirs)
        {
            head.Queries.Add(OneHot(coordinate));
            var key = Zero();
            if (queryValue is { } qv)
            {
                foreach (var kv in values[selector.Keys])
                    if (selector.Predicate.Holds(kv, qv)) key[layout[selector.Keys.Label, kv]] = c;
            }
            else if (coordinate == One)
            {
                key[Bos] = bosWeight * c;
            }
            head.Keys.Add(key);
        }
        return head;
    }

    /// <summary>The model: config, weights under minGPT names, and the residual layout they are written in.</summary>
    public CompiledModel Assemble(Sop program, IReadOnlyList<string> vocabulary)
    {
        int n = options.MaxLength;
        var tokenValues = layout.ValuesOf("tokens");
        var outputs = layout.ValuesOf(program.Label);
        int nHead = Math.Max(1, _heads.Max(h => h.Count));
        int hs = Math.Max(1, _heads.SelectMany(h => h).Select(h => h.Size).DefaultIfEmpty(1).Max());
        int inner = Math.Max(1, _units.Max(u => u.Count));
        var config = new GptConfig
        {
            NLayer = layerCount, NHead = nHead, NEmbd = C, BlockSize = n + 1, VocabSize = tokenValues.Count,
            Bias = false, Dropout = 0, Norm = NormKinds.None, Activation = ActivationKinds.Relu, Causal = false,
            HeadSizeOverride = hs, InnerOverride = inner, OutputOverride = outputs.Count, TiedEmbeddings = false,
        };
        var paramLayout = new ParameterLayout(config);
        var weights = paramLayout.Parameters.ToDictionary(p => p.Name, p => new float[p.Length], StringComparer.Ordinal);
        int a = config.AttentionWidth;

        var wte = weights["transformer.wte.weight"];
        for (int id = 0; id < tokenValues.Count; id++)
        {
            wte[id * C + layout["tokens", tokenValues[id]]] = 1;
            wte[id * C + One] = 1;
        }
        // Position 0 is BOS and gets no index; position p holds RASP index p − 1.
        var wpe = weights["transformer.wpe.weight"];
        for (int p = 1; p <= n; p++) wpe[p * C + layout["indices", RaspValue.Of(p - 1)]] = 1;

        for (int l = 0; l < layerCount; l++)
        {
            string prefix = $"transformer.h.{l}";
            var qkv = weights[prefix + ".attn.c_attn.weight"];
            var proj = weights[prefix + ".attn.c_proj.weight"];
            for (int h = 0; h < _heads[l].Count; h++)
            {
                var head = _heads[l][h];
                for (int r = 0; r < head.Queries.Count; r++)
                {
                    Write(qkv, h * hs + r, head.Queries[r]);
                    Write(qkv, a + h * hs + r, head.Keys[r]);
                }
                for (int r = 0; r < head.Values.Count; r++)
                {
                    Write(qkv, 2 * a + h * hs + r, head.Values[r]);
                    WriteColumn(proj, a, h * hs + r, head.Outputs[r]);
                }
            }
            var fc = weights[prefix + ".mlp.c_fc.weight"];
            var fcProj = weights[prefix + ".mlp.c_proj.weight"];
            for (int u = 0; u < _units[l].Count; u++)
            {
                Write(fc, u, _units[l][u].In);
                WriteColumn(fcProj, inner, u, _units[l][u].Out);
            }
        }
        var head0 = weights["lm_head.weight"];
        for (int k = 0; k < outputs.Count; k++) head0[k * C + layout[program.Label, outputs[k]]] = 1;

        return new CompiledModel
        {
            Config = config,
            Residual = layout.Directions.Select(d => d.ToString()).ToList(),
            InputTokens = tokenValues.Select(t => t.Token).ToList(),
            OutputLabel = program.Label,
            OutputValues = outputs.Select(v => v.ToString()).ToList(),
            Weights = weights,
            MaxLength = n,
            MlpExactness = options.MlpExactness,
            Coldness = options.Coldness,
            Vocabulary = vocabulary.ToList(),
        };
    }

    private void Write(float[] matrix, int row, double[] values)
    {
        for (int j = 0; j < C; j++) matrix[row * C + j] = (float)values[j];
    }

    private void WriteColumn(float[] matrix, int columns, int column, double[] values)
    {
        for (int i = 0; i < C; i++) matrix[i * columns + column] = (float)values[i];
    }
}
