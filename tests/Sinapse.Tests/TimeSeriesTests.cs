using System.Text.Json;
using Sinapse.Data;
using Sinapse.Tests.Support;
using static Sinapse.Tests.Support.CliRunner;

namespace Sinapse.Tests;

/// <summary>Time series: reading, windows, the seasonal-naive baseline, scores, and the forecaster's bars on AirPassengers.</summary>
[Collection(nameof(ProcessWideCollection))]
public class TimeSeriesTests
{
    [Fact]
    public void Shipped_series_load_whole()
    {
        var air = TimeSeries.LoadShipped("airpassengers");
        Assert.Equal(144, air.Values.Length);
        Assert.Equal(("1949-01", 112f), (air.Labels[0], air.Values[0]));
        Assert.Equal(622f, air.Values.Max());
        var sun = TimeSeries.LoadShipped("sunspots");
        Assert.Equal(309, sun.Values.Length);
        Assert.Equal(("2008", 2.9f), (sun.Labels[^1], sun.Values[^1]));
    }

    [Fact]
    public void A_bad_cell_names_the_file_line_and_column()
    {
        var path = Path.Combine(Temp(), "bad.csv");
        File.WriteAllText(path, "Month,Passengers\n1949-01,112\n1949-02,lots\n");
        var e = Assert.Throws<InvalidDataException>(() => TimeSeries.ReadCsv(path));
        Assert.Contains("line 3", e.Message); Assert.Contains("column 2", e.Message); Assert.Contains("'lots'", e.Message);
    }

    [Fact]
    public void Windows_and_seasonal_naive_take_the_right_steps()
    {
        float[] v = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        var (x, y, origins) = TimeSeries.Windows(v, input: 3, horizon: 2, firstOrigin: 0, end: 8);
        Assert.Equal(new[] { 3, 4, 5, 6 }, origins);
        Assert.Equal(new[] { 4, 3, 1 }, x.Shape);
        Assert.Equal(new float[] { 1, 2, 3 }, x.Select(0, 1).Flatten().ToArray());
        Assert.Equal(new float[] { 4, 5 }, y.Select(0, 1).ToArray());
        // Period 3 from origin 6: steps 6, 7, 8, 9 are forecast by 3, 4, 5, then 3 again (the last observed season).
        Assert.Equal(new float[] { 3, 4, 5, 3 }, TimeSeries.SeasonalNaive(v, 6, 4, 3));
        Assert.Equal(1.0, Sinapse.Training.Metrics.Rmse([1, 2], [2, 3]), 6);
        Assert.Equal(0.5, Sinapse.Training.Metrics.Coverage([0, 0], [1, 1], [0.5f, 2f]));
    }

    [Fact]
    public void Forecaster_beats_seasonal_naive_on_airpassengers_with_honest_intervals()
    {
        var dir = Temp();
        var (code, output, err) = Run("forecast", "--data", "airpassengers", "--out", dir);
        Assert.True(code == 0, err);
        using var m = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
        double rmse = m.RootElement.GetProperty("test_rmse").GetDouble(), naive = m.RootElement.GetProperty("seasonal_naive_rmse").GetDouble();
        double coverage = m.RootElement.GetProperty("interval_coverage").GetDouble();
        Assert.True(rmse < naive, $"LSTM RMSE {rmse} vs seasonal naive {naive}");
        Assert.InRange(coverage, 0.85, 1.0);
        Assert.True(File.Exists(Path.Combine(dir, "forecast.png")));
        Assert.Contains("seasonal naive", File.ReadAllText(Path.Combine(dir, "forecast.md")));
        Assert.Contains("beats", output);
    }

    [Theory]
    [InlineData("forecast", "--data", "/nonexistent.csv")]
    [InlineData("forecast", "--transform", "cube")]
    [InlineData("forecast", "--period", "80")]
    public void Bad_forecast_usage_gives_a_one_line_error(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", err);
    }
}
