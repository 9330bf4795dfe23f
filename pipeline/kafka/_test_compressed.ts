// Record batches as Kafka's Java client (kafka-clients 4.1.2) compresses
// them, with the inputs they were made from: what the codecs must read.
// Made by Java's `Compression.lz4()`, `.snappy()` and `.zstd()`, each
// `wrapForOutput(stream, RecordBatch.MAGIC_VALUE_V2)` written the input and
// closed; the bytes are base64.

/** Which input a fixture was made from. */
export type FixtureInput = "small" | "large" | "medium" | "random";

/** The input bytes of each fixture, built as the Java side built them. */
export function fixtureInput(kind: FixtureInput): Uint8Array {
  if (kind === "random") {
    const bytes = new Uint8Array(300);
    let x = 7;
    for (let i = 0; i < bytes.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
      bytes[i] = x >>> 16;
    }
    return bytes;
  }
  let text = "";
  if (kind === "small") {
    for (let i = 0; i < 40; i++) text += `order-${i % 97}${i % 13 === 0 ? `|${i}` : ""};`;
  } else {
    for (let i = 0; i < (kind === "large" ? 20000 : 5000); i++) text += `order-${i % 97};`;
  }
  return new TextEncoder().encode(text);
}

/** Java's compressed bytes of an input, by codec. */
export const JAVA_COMPRESSED = {
  lz4: {
    small: [
      "BCJNGGBAgrEAAACib3JkZXItMHwwOwoAEzEIABMyCAATMwgAEzQIABM1CAATNggAEzcIABM4CAATOQgAFTFR",
      "AARSABQxUwBEMTN8MVcAFDFYABQxWQAUMVoAFDFbABQxXAAUMV0AFDJdABQyXQAUMl0AFDJaABQyWgAUMloA",
      "RDI2fDJdABQyXQAUMl0AFDJdABQzXQAUM10AFDNdABQzXQAUM10AFDNdABQzWgAUM1oAFDNaAGAzOXwzOTsA",
      "AAAA",
    ].join(""),
    large: [
      "BCJNGGBAgq8CAACCb3JkZXItMDsIABMxCAATMggAEzMIABM0CAATNQgAEzYIABM3CAATOAgAEzkIABUxUQAE",
      "UgAUMVMAFDFUABQxVQAUMVYAFDFXABQxWAAUMVkAFDFaABQyWgAUMloAFDJaABQyWgAUMloAFDJaABQyWgAU",
      "MloAFDJaABQyWgAUM1oAFDNaABQzWgAUM1oAFDNaABQzWgAUM1oAFDNaABQzWgAUM1oAFDRaABQ0WgAUNFoA",
      "FDRaABQ0WgAUNFoAFDRaABQ0WgAUNFoAFDRaABQ1WgAUNVoAFDVaABQ1WgAUNVoAFDVaABQ1WgAUNVoAFDVa",
      "ABQ1WgAUNloAFDZaABQ2WgAUNloAFDZaABQ2WgAUNloAFDZaABQ2WgAUNloAFDdaABQ3WgAUN1oAFDdaABQ3",
      "WgAUN1oAFDdaABQ3WgAUN1oAFDdaABQ4WgAUOFoAFDhaABQ4WgAUOFoAFDhaABQ4WgAUOFoAFDhaABQ4WgAU",
      "OVoAFDlaABQ5WgAUOVoAFDlaABQ5WgAUOVoABD4ABD0ABDwABDsABDoABDkABDgABZEAA1cDBI8AD18D////",
      "////////////////////////////////////////////////////////////////////////////////////",
      "////////////////////////////////////////////////////////////////////////////////////",
      "////////////////////////////////////////////////////////////////////////////////////",
      "/////////////////////////////////////////////////////////////////////////////////zBQ",
      "OTA7b3KMAgAAkWRlci05MTtvcgkAFDIJABQzCQAUNAkAFDUJABM2CQATMAgABD0ABDwABDsABDoABDkABDgA",
      "Ezc4ABM4CAATOQgAFTFRAARSABQxUwAUMVQAFDFVABQxVgAUMVcAFDFYABQxWQAUMVoAFDJaABQyWgAUMloA",
      "FDJaABQyWgAUMloAFDJaABQyWgAUMloAFDJaABQzWgAUM1oAFDNaABQzWgAUM1oAFDNaABQzWgAUM1oAFDNa",
      "ABQzWgAUNFoAFDRaABQ0WgAUNFoAFDRaABQ0WgAUNFoAFDRaABQ0WgAUNFoAFDVaABQ1WgAUNVoAFDVaABQ1",
      "WgAUNVoAFDVaABQ1WgAUNVoAFDVaABQ2WgAUNloAFDZaABQ2WgAUNloAFDZaABQ2WgAUNloAFDZaABQ2WgAU",
      "N1oAFDdaABQ3WgAUN1oAFDdaABQ3WgAUN1oAFDdaABQ3WgAUN1oAFDhaABQ4WgAUOFoAFDhaABQ4WgAUOFoA",
      "FDhaABQ4WgAUOFoAFDhaABQ5WgAPXwP/////////////////////////////////////////////////////",
      "////////////////////////////////////////////////////////////////////////////////////",
      "////////////////////////////////////////////////////////////////////////////////////",
      "////////////////////////////////////////////////////////////////////////////////////",
      "////////////////////////////////glA7b3JkZT8CAADUci04NTtvcmRlci04NgkAFDcJABQ4CQATOQkA",
      "JDkwCQAUMQkAFDIJABQzCQAUNAkABFoAFDlaAAQ+AAQ9AAQ8AAQ7AAQ6AAQ5AAQ4AAWRAARaAAMIABUxUQAE",
      "UgAUMVMAFDFUABQxVQAUMVYAFDFXABQxWAAUMekAFDHpABQyWgAUMloAFDJaABQyWgAUMloAFDJaABQyWgAU",
      "MloAFDJaABQyWgAUM1oAFDNaABQzWgAUM1oAFDNaABQzWgAUM1oAFDNaABQzWgAUM1oAFDRaABQ0WgAUNFoA",
      "FDRaABQ0WgAUNFoAFDRaABQ0WgAUNFoAFDRaABQ1WgAUNVoAFDVaABQ1WgAUNVoAFDVaABQ1WgAUNVoAFDVa",
      "ABQ1WgAUNloAFDZaABQ2WgAUNloAFDZaABQ2WgAUNloAFDZaABQ2WgAUNloAFDdaABQ3WgAUN1oAFDdaABQ3",
      "WgAUN1oAFDdaABQ3WgAUN1oAFDdaABQ4WgAUOFoAFDhaABQ4WgAUOFoAD18D////////////////////////",
      "////////////////////////////////////////////////////////////////////////////////////",
      "////////////////////////////////////////////////////////////////////////////////////",
      "////////////////////////////////////////////////RVByLTE3OwAAAAA=",
    ].join(""),
    random: [
      "BCJNGGBAgiwBAIBsTnSSEyUiLjGhzRO+Eu1CaWbOJPwj19qNIJdhagaVbsKK1AMTaCjUVx48Xe5uXsBKkRFf",
      "XTtRPsJTpBatbuU4lBHQKJqjTPXANHxZyvCElfNhGwtQaNWYBPkutymZVVd5mb54wBBmhwKZ5X9s0jW8+49E",
      "ne7iO+HszIy/9b++wgvb+Guc5U+FtgfPRulKSyr71OWPT+FcERKCGKMrGPdy34/Vekdb3uR0NJMmXJGd2Yvm",
      "VFmKnQ8fDtQq3eDc2F6Qbq0c2avqntPaiJjb4APBQn7rcrhNLAN3exjlL0M5f7Qu2cpqC02rbK8GE39tVdm5",
      "VAFS8SuLtuUtPDIuhfPM5Iiw+xG03wLWbGUQX3FsGYgg73JMbgQv8qPsPPbZ3D64NIkn5952m6vJ/QYAAAAA",
    ].join(""),
  },
  snappy: {
    small: [
      "glNOQVBQWQAAAAABAAAAAQAAALfpAiRvcmRlci0wfDA7CQoAMQ0IADINCAAzDQgANA0IADUNCAA2DQgANw0I",
      "ADgNCAA5DQgAMRVREVIAMRFTDDEzfDERVwAxEVgAMRFZADERWgAxEVsAMRFcADERXQAyEV0AMhFdADIRXQAy",
      "EVoAMhFaADIRWgwyNnwyEV0AMhFdADIRXQAyEV0AMxFdADMRXQAzEV0AMxFdADMRXQAzEV0AMxFaADMRWjgz",
      "ODtvcmRlci0zOXwzOTs=",
    ].join(""),
    random: [
      "glNOQVBQWQAAAAABAAAAAQAAATGsAvQrAWxOdJITJSIuMaHNE74S7UJpZs4k/CPX2o0gl2FqBpVuworUAxNo",
      "KNRXHjxd7m5ewEqREV9dO1E+wlOkFq1u5TiUEdAomqNM9cA0fFnK8ISV82EbC1Bo1ZgE+S63KZlVV3mZvnjA",
      "EGaHApnlf2zSNbz7j0Sd7uI74ezMjL/1v77CC9v4a5zlT4W2B89G6UpLKvvU5Y9P4VwREoIYoysY93Lfj9V6",
      "R1ve5HQ0kyZckZ3Zi+ZUWYqdDx8O1Crd4NzYXpBurRzZq+qe09qImNvgA8FCfutyuE0sA3d7GOUvQzl/tC7Z",
      "ymoLTatsrwYTf21V2blUAVLxK4u25S08Mi6F88zkiLD7EbTfAtZsZRBfcWwZiCDvckxuBC/yo+w89tncPrg0",
      "iSfn3nabq8n9Bg==",
    ].join(""),
    medium: [
      "glNOQVBQWQAAAAABAAAAAQAAB3WAgAIcb3JkZXItMDsJCAAxDQgAMg0IADMNCAA0DQgANQ0IADYNCAA3DQgA",
      "OA0IADkNCAAxFVERUgAxEVMAMRFUADERVQAxEVYAMRFXADERWAAxEVkAMRFaADIRWgAyEVoAMhFaADIRWgAy",
      "EVoAMhFaADIRWgAyEVoAMhFaADIRWgAzEVoAMxFaADMRWgAzEVoAMxFaADMRWgAzEVoAMxFaADMRWgAzEVoA",
      "NBFaADQRWgA0EVoANBFaADQRWgA0EVoANBFaADQRWgA0EVoANBFaADURWgA1EVoANRFaADURWgA1EVoANRFa",
      "ADURWgA1EVoANRFaADURWgA2EVoANhFaADYRWgA2EVoANhFaADYRWgA2EVoANhFaADYRWgA2EVoANxFaADcR",
      "WgA3EVoANxFaADcRWgA3EVoANxFaADcRWgA3EVoANxFaADgRWgA4EVoAOBFaADgRWgA4EVoAOBFaADgRWgA4",
      "EVoAOBFaADgRWgA5EVoAORFaADkRWgA5EVoAORFaADkRWgA5EVoRPhE9ETwROxE6ETkROBWRbVcRj/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA31fAAADhMBbIHJkZXItOTQ7bwkJADURCQA2",
      "DQkAMA0IADENCAAyDQgAMw0IEToRORE4ADcNIAA4DQgAOQ0IADEVURFSADERUwAxEVQAMRFVADERVgAxEVcA",
      "MRFYADERWQAxEVoAMhFaADIRWgAyEVoAMhFaADIRWgAyEVoAMhFaADIRWgAyEVoAMhFaADMRWgAzEVoAMxFa",
      "ADMRWgAzEVoAMxFaADMRWgAzEVoAMxFaADMRWgA0EVoANBFaADQRWgA0EVoANBFaADQRWgA0EVoANBFaADQR",
      "WgA0EVoANRFaADURWgA1EVoANRFaADURWgA1EVoANRFaADURWgA1EVoANRFaADYRWgA2EVoANhFaADYRWgA2",
      "EVoANhFaADYRWgA2EVoANhFaADYRWgA3EVoANxFaADcRWgA3EVoANxFaADcRWgA3EVoANxFaADcRWgA3EVoA",
      "OBFaADgRWgA4EVoAOBFaADgRWgA4EVoAOBFaADgRWgA4EVoAOBFaADkRWgA5EVoAORFaADkRWv5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5f",
      "A/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA/5fA25fAw==",
    ].join(""),
  },
  zstd: {
    small: [
      "KLUv/QBYFAQAtANvcmRlci0wfDA7MTIzNDU2Nzg5MTExM3wxMTExMTExMjIyMjIyMjZ8MjIyMjMzMzMzMzMz",
      "MzM5fDM5OycgUNOkB0Qg1yWMSHIJI5IcwogkJ2EgyYRJpEOOMEQkByLsm4gXuS7COES2ydUiZEWuQoJabmZZ",
      "5JNZlvlkZlk2+XYYSAEAAA==",
    ].join(""),
    large: [
      "KLUv/QBYZAQAcgYQEMBXDlAZ/0XYroiIlML/6gIzMzMjIiIiIvL////btm3bbdu2LUmSJLlt27ZJkiRJERER",
      "ETFyl1MIAoCBMBgKAW2oUHw7kJNSdRJQsNC7////dz78YhuOxaAsLDa6Gy8SgRLTMkok3EkWEYPf3X/v7t+7",
      "r44cN9aYMcaLLbqioJRfZgvJ2ZQHQClMAAAIcgEABjcdCAEBAAA=",
    ].join(""),
    random: [
      "KLUv/QBYYAkAbE50khMlIi4xoc0TvhLtQmlmziT8I9fajSCXYWoGlW7CitQDE2go1FcePF3ubl7ASpERX107",
      "UT7CU6QWrW7lOJQR0Ciao0z1wDR8WcrwhJXzYRsLUGjVmAT5LrcpmVVXeZm+eMAQZocCmeV/bNI1vPuPRJ3u",
      "4jvh7MyMv/W/vsIL2/hrnOVPhbYHz0bpSksq+9Tlj0/hXBESghijKxj3ct+P1XpHW97kdDSTJlyRndmL5lRZ",
      "ip0PHw7UKt3g3NhekG6tHNmr6p7T2oiY2+ADwUJ+63K4TSwDd3sY5S9DOX+0LtnKagtNq2yvBhN/bVXZuVQB",
      "UvEri7blLTwyLoXzzOSIsPsRtN8C1mxlEF9xbBmIIO9yTG4EL/Kj7Dz22dw+uDSJJ+fedpuryf0GAQAA",
    ].join(""),
  },
} as const;

/** Bytes from base64. */
export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
