package dev.attune.model;

import dev.attune.data.EncodedDataset;
import dev.attune.train.Evaluator;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * The bf16 inference path (a bf16 copy of the encoder's weights, no autocast, fused attention) that predict, eval,
 * the server and the trainer's evaluations take: the vectors the head reads stay near the fp32 ones on the parity
 * texts, long repetitive ones included.
 */
class Bf16InferenceTest {
    @Test
    void pooledVectorsOfTheBf16PathStayNearFp32() {
        try (Pretrained p = Pretrained.load("minilm-l6")) {
            SequenceClassifier model = SequenceClassifier.create(p.model(), new HeadConfig("mean", 0, "gelu", 0.1), List.of("ham", "spam"), 3);
            EncodedDataset texts = EncodedDataset.unlabelled(ParityTexts.TEXTS, p.tokenizer(), 128);
            float[][] fp32 = Evaluator.outputs(model, texts, 8, false, true).pooled();
            float[][] bf16 = Evaluator.outputs(model, texts, 8, true, true).pooled();
            double worst = 0;
            for (int i = 0; i < fp32.length; i++) {
                double dot = 0, na = 0, nb = 0;
                for (int j = 0; j < fp32[i].length; j++) {
                    dot += (double) fp32[i][j] * bf16[i][j];
                    na += (double) fp32[i][j] * fp32[i][j];
                    nb += (double) bf16[i][j] * bf16[i][j];
                }
                worst = Math.max(worst, 1 - dot / Math.sqrt(na * nb));
            }
            // measured 1.56e-4 with ONEDNN_MAX_CPU_ISA = AMX, AVX512-BF16 and AVX512, 1.46e-4 with AVX2, with 1 and
            // 2 threads; with the packed linear layers (bias and GELU in the matmul) 9.3e-5 with AMX and at most
            // 1.13e-4 (AVX2) over the same settings. Limit: 3x margin on the first measurements
            dev.attune.Tolerance.atMost("bf16 inference pooled vector 1 - cosine to fp32, worst parity text", worst, 5e-4);
        }
    }
}
