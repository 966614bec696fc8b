using System;
using System.Collections.Generic;

namespace K3sNet.Matrix
{
    /// <summary>
    /// Orders node names as a person counts them: node-2 before node-10, because runs of digits compare as numbers.
    /// Letters compare without regard to case; names equal that way fall back to ordinal order, so the order is total
    /// and stable whatever order the results arrived in.
    /// </summary>
    internal sealed class NaturalNameComparer : IComparer<string>
    {
        public static readonly NaturalNameComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            int i = 0;
            int j = 0;
            while (i < x.Length && j < y.Length)
            {
                if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
                {
                    int order = CompareNumbers(x, ref i, y, ref j);
                    if (order != 0)
                    {
                        return order;
                    }

                    continue;
                }

                int letters = char.ToUpperInvariant(x[i]).CompareTo(char.ToUpperInvariant(y[j]));
                if (letters != 0)
                {
                    return letters;
                }

                i++;
                j++;
            }

            int length = (x.Length - i).CompareTo(y.Length - j);
            return length != 0 ? length : string.CompareOrdinal(x, y);
        }

        /// <summary>Compares the digit runs at x[i] and y[j] by value (any length: no overflow) and moves past them.</summary>
        private static int CompareNumbers(string x, ref int i, string y, ref int j)
        {
            int xStart = Skip(x, i, '0');
            int yStart = Skip(y, j, '0');
            int xEnd = SkipDigits(x, xStart);
            int yEnd = SkipDigits(y, yStart);
            int order = (xEnd - xStart).CompareTo(yEnd - yStart);
            if (order == 0)
            {
                order = string.CompareOrdinal(x, xStart, y, yStart, xEnd - xStart);
            }

            i = xEnd;
            j = yEnd;
            return order;
        }

        private static int Skip(string s, int at, char c)
        {
            while (at < s.Length - 1 && s[at] == c && char.IsAsciiDigit(s[at + 1]))
            {
                at++;
            }

            return at;
        }

        private static int SkipDigits(string s, int at)
        {
            while (at < s.Length && char.IsAsciiDigit(s[at]))
            {
                at++;
            }

            return at;
        }
    }
}
